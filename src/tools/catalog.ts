import type { PromptContext } from '../model/system-prompt.js';
import type { Tool } from '../model/tools.js';

/**
 * Which tools a question may use, and what the system prompt says about them: AWS documentation
 * and the team's own MCP servers everywhere, the team's AWS account only in the conversations
 * where account access is allowed.
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

export const NO_TOOLS: ToolCatalog = {
  forQuestion: () => ({ tools: [], prompt: { docs: 'off', account: 'off', teamServers: [] } }),
};
