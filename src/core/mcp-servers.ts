/**
 * What the MCP settings mean: the AWS Knowledge server's defaults and the shape of MCP_SERVERS
 * (a team's own servers), as a schema the configuration module applies to the variable. Pure.
 * Problems name the entry and the field; header values never appear in one: they usually hold
 * credentials.
 */
import { z } from 'zod';

export const DEFAULT_AWS_DOCS_MCP_URL = 'https://knowledge-mcp.global.api.aws';
/** The name of the AWS Knowledge server in tool names (`aws_docs__…`) and logs. */
export const AWS_DOCS_SERVER_NAME = 'aws_docs';
const SERVER_NAME = /^[\w-]{1,20}$/;
/** RFC 9110 token: what `Headers` accepts as a name. */
const HEADER_NAME = /^[\w!#$%&'*+.^`|~-]+$/;
const MAX_REUSE_SECONDS = 7 * 86_400;

/** A team's own MCP server, as MCP_SERVERS lists it. */
export interface TeamServer {
  /** Short name, `^[a-zA-Z0-9_-]{1,20}$`: the prefix of its tools' names (`<name>__<tool>`) and the name in logs. */
  name: string;
  /** The Streamable HTTP endpoint (http or https). */
  url: string;
  /** Sent with every request (e.g. `Authorization`); never logged. */
  headers?: Record<string, string>;
  /** Only these tools (the server's own names) are offered; all when absent. */
  allowedTools?: string[];
  /** How long a result may be reused. Default: per tool for the AWS Knowledge server, 0 for a team's. */
  reuseSeconds?: number;
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

/** MCP_SERVERS: unset or blank for none, else a JSON list of team servers with unique names. */
export const teamServersSchema = z
  .string()
  .optional()
  .transform((raw, context): TeamServer[] => {
    const json = raw?.trim() ?? '';
    if (json === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      context.addIssue({ code: 'custom', message: 'is not valid JSON (expected a list such as [{"name":"runbooks","url":"https://…"}])' });
      return z.NEVER;
    }
    if (!Array.isArray(parsed)) {
      context.addIssue({ code: 'custom', message: 'must be a JSON list of servers, e.g. [{"name":"runbooks","url":"https://…"}]' });
      return z.NEVER;
    }
    const servers: TeamServer[] = [];
    const seen = new Set([AWS_DOCS_SERVER_NAME]);
    parsed.forEach((entry: unknown, index) => {
      const result = teamServerSchema.safeParse(entry);
      if (!result.success) {
        for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: `[${index}]${pathText(issue.path)} ${issue.message}` });
        return;
      }
      const server = result.data;
      if (seen.has(server.name)) {
        const reason = server.name === AWS_DOCS_SERVER_NAME ? " (it is the AWS documentation server's name)" : '';
        context.addIssue({ code: 'custom', message: `[${index}].name "${server.name}" is used twice${reason}: names must be unique` });
        return;
      }
      seen.add(server.name);
      servers.push({
        name: server.name,
        url: server.url,
        ...(server.headers !== undefined ? { headers: server.headers } : {}),
        ...(server.allowedTools !== undefined ? { allowedTools: server.allowedTools } : {}),
        ...(server.reuseSeconds !== undefined ? { reuseSeconds: server.reuseSeconds } : {}),
      });
    });
    return servers;
  });
