import { DIRECT_MESSAGES } from '../core/aws-names.js';
import type { PromptContext } from '../model/system-prompt.js';
import type { Tool } from '../model/tools.js';

/**
 * Which tools a question may use, and what the system prompt says about them: AWS documentation
 * and the team's own MCP servers everywhere, the team's AWS account only in the conversations
 * where account access is allowed (AWS_ACCOUNT_CHANNELS).
 */
export interface QuestionPlace {
  teamId: string;
  channel: string;
  userId: string;
  source: string;
}

export interface ToolOffer {
  tools: Tool[];
  prompt: Omit<PromptContext, 'today'>;
}

export interface ToolCatalog {
  forQuestion(question: QuestionPlace): ToolOffer;
}

/** The MCP side (tools/mcp/toolbox.ts): its current tools and what they mean for the prompt. */
export interface McpTools {
  tools(): Tool[];
  promptFacts(): Pick<PromptContext, 'docs' | 'teamServers'>;
}

export interface AccountTools {
  tools: readonly Tool[];
  /** Channel ids, and `dm` for direct messages and the assistant panel. */
  channels: readonly string[];
}

export interface CatalogParts {
  mcp?: McpTools | undefined;
  account?: AccountTools | undefined;
  /** Wraps each tool so that a result fetched recently is reused (tools/reused-results.ts). */
  reuse?: ((tool: Tool) => Tool) | undefined;
}

export function toolCatalog(parts: CatalogParts): ToolCatalog {
  const wrapped = new WeakMap<Tool, Tool>();
  const reused = (tool: Tool): Tool => {
    if (!parts.reuse) return tool;
    let wrapper = wrapped.get(tool);
    if (!wrapper) wrapped.set(tool, (wrapper = parts.reuse(tool)));
    return wrapper;
  };
  return {
    forQuestion(question) {
      const account = parts.account;
      const accountHere = account !== undefined && accountAllowedIn(account.channels, question);
      const tools = [...(parts.mcp?.tools() ?? []), ...(accountHere ? account.tools : [])];
      return {
        tools: tools.map(reused),
        prompt: {
          ...(parts.mcp?.promptFacts() ?? { docs: 'off', teamServers: [] }),
          account: account === undefined ? 'off' : accountHere ? 'allowed' : 'not-here',
        },
      };
    },
  };
}

/** A direct message or the assistant panel counts as `dm`; a channel must be listed by id. */
function accountAllowedIn(channels: readonly string[], question: Pick<QuestionPlace, 'channel' | 'source'>): boolean {
  const isDirect = question.source === 'dm' || question.source === 'assistant' || question.channel.startsWith('D');
  return channels.includes(question.channel) || (isDirect && channels.includes(DIRECT_MESSAGES));
}
