/**
 * Turns the settings `AWS_DOCS_MCP_URL` and `MCP_SERVERS` into the server list of the MCP
 * provider. Pure: problems are returned (one line each, naming the setting and the entry), so the
 * config module can report them together with every other bad setting. Header values never
 * appear in a problem: they usually hold credentials.
 */
import { z } from 'zod';
import type { McpServerConfig } from './options.js';

export const DEFAULT_AWS_DOCS_MCP_URL = 'https://knowledge-mcp.global.api.aws';
/** The name of the AWS Knowledge server in tool names (`aws_docs__…`) and logs. */
export const AWS_DOCS_SERVER_NAME = 'aws_docs';
const SERVER_NAME = /^[\w-]{1,20}$/;
/** RFC 9110 token: what `Headers` accepts as a name. */
const HEADER_NAME = /^[\w!#$%&'*+.^`|~-]+$/;
const MAX_REUSE_SECONDS = 7 * 86_400;

export interface McpSettingsInput {
  /** The AWS Knowledge MCP server's URL; unset or empty: the public one; `off`: no AWS docs tools. */
  AWS_DOCS_MCP_URL?: string | undefined;
  /** A JSON list of `{name, url, headers?, allowedTools?, reuseSeconds?}`. */
  MCP_SERVERS?: string | undefined;
}

export interface McpServerSettings {
  servers: McpServerConfig[];
  problems: string[];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const teamServerSchema = z.strictObject(
  {
    name: z
      .string({ error: 'is required: a short name, the prefix of its tool names' })
      .regex(SERVER_NAME, 'must be 1 to 20 letters, digits, "_" or "-"'),
    url: z.string({ error: 'is required: the server\'s Streamable HTTP endpoint' }).refine(isHttpUrl, 'must be an http:// or https:// URL'),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'is not a valid HTTP header name'),
        z.string({ error: 'must be a string' }).refine((value) => !/[\r\n]/.test(value), 'must not contain line breaks'),
        {
          error: (issue) =>
            issue.code === 'invalid_type' ? 'must be an object of header names to string values' : issue.code === 'invalid_key' ? 'is not a valid HTTP header name' : undefined,
        },
      )
      .optional(),
    allowedTools: z
      .array(z.string({ error: 'must be a tool name' }).min(1, 'must not be empty'), { error: 'must be a list of tool names' })
      .min(1, 'must name at least one tool (leave it out to allow every tool)')
      .optional(),
    reuseSeconds: z
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be at least 0')
      .max(MAX_REUSE_SECONDS, `must be at most ${MAX_REUSE_SECONDS} (a week)`)
      .optional(),
  },
  {
    error: (issue) => {
      if (issue.code === 'invalid_type') return 'must be an object {name, url, headers?, allowedTools?, reuseSeconds?}';
      if (issue.code === 'unrecognized_keys') return `has unknown fields ${issue.keys.map((key) => `"${key}"`).join(', ')} (known: name, url, headers, allowedTools, reuseSeconds)`;
      return undefined;
    },
  },
);

function pathText(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

export function parseMcpServerSettings(raw: McpSettingsInput): McpServerSettings {
  const problems: string[] = [];
  const servers: McpServerConfig[] = [];

  const docsUrl = raw.AWS_DOCS_MCP_URL?.trim() ?? '';
  if (docsUrl.toLowerCase() !== 'off') {
    const url = docsUrl === '' ? DEFAULT_AWS_DOCS_MCP_URL : docsUrl;
    if (isHttpUrl(url)) servers.push({ name: AWS_DOCS_SERVER_NAME, url, kind: 'aws-knowledge' });
    else problems.push('AWS_DOCS_MCP_URL must be an http:// or https:// URL, or "off" to go without AWS documentation tools');
  }

  const json = raw.MCP_SERVERS?.trim() ?? '';
  if (json === '') return { servers, problems };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    problems.push('MCP_SERVERS is not valid JSON (expected a list such as [{"name":"runbooks","url":"https://…"}])');
    return { servers, problems };
  }
  if (!Array.isArray(parsed)) {
    problems.push('MCP_SERVERS must be a JSON list of servers, e.g. [{"name":"runbooks","url":"https://…"}]');
    return { servers, problems };
  }

  const seen = new Set(servers.map((server) => server.name));
  parsed.forEach((entry: unknown, index) => {
    const result = teamServerSchema.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`MCP_SERVERS[${index}]${pathText(issue.path)} ${issue.message}`);
      return;
    }
    const server = result.data;
    if (seen.has(server.name)) {
      const reason = server.name === AWS_DOCS_SERVER_NAME ? ' (it is the AWS documentation server\'s name)' : '';
      problems.push(`MCP_SERVERS[${index}].name "${server.name}" is used twice${reason}: names must be unique`);
      return;
    }
    seen.add(server.name);
    servers.push({
      name: server.name,
      url: server.url,
      kind: 'team',
      ...(server.headers !== undefined ? { headers: server.headers } : {}),
      ...(server.allowedTools !== undefined ? { allowedTools: server.allowedTools } : {}),
      ...(server.reuseSeconds !== undefined ? { reuseSeconds: server.reuseSeconds } : {}),
    });
  });
  return { servers, problems };
}
