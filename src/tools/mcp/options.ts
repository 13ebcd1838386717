/**
 * What the MCP tool provider is configured with: the servers it connects to and its limits.
 * Types and defaults only.
 */
import type { TeamServer } from '../../core/mcp-servers.js';
import type { Logger } from '../../ops/logger.js';

/** What kind of server a config names: the AWS Knowledge server gets docs-aware wording and sources. */
export type McpServerKind = 'aws-knowledge' | 'team';

/** A server to connect to: the AWS Knowledge server, or a team's own as MCP_SERVERS lists it. */
export interface McpServerConfig extends TeamServer {
  /** Defaults to `team`. */
  kind?: McpServerKind;
}

/** The methods the provider logs with: any pino logger fits. */
export type McpLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

export interface McpToolboxOptions {
  servers: McpServerConfig[];
  /** Time limit of one `tools/call`, in ms. */
  callTimeoutMs?: number;
  /** A result longer than this many tokens (estimated at 3.5 characters a token) is cut, and says so. */
  resultMaxTokens?: number;
  /** How often every server's tool list is read again, in ms (0: only on `list_changed`). */
  refreshIntervalMs?: number;
  /** Time limit of `initialize`, `tools/list` and health pings, in ms. */
  connectTimeoutMs?: number;
  /** Backoff between reconnection attempts to an unreachable server, in ms: doubles from `initial` up to `max`. */
  reconnectDelayMs?: { initial: number; max: number };
  logger?: McpLogger;
  /** `clientInfo` sent in `initialize`. */
  clientInfo?: { name: string; version: string };
}

export const MCP_DEFAULTS = Object.freeze({
  callTimeoutMs: 20_000,
  resultMaxTokens: 5_000,
  refreshIntervalMs: 10 * 60_000,
  connectTimeoutMs: 10_000,
  reconnectDelayMs: Object.freeze({ initial: 1_000, max: 60_000 }),
  clientInfo: Object.freeze({ name: 'aws-orchestrator', version: '0.1.0' }),
});

export interface ResolvedMcpOptions {
  callTimeoutMs: number;
  resultMaxTokens: number;
  refreshIntervalMs: number;
  connectTimeoutMs: number;
  reconnectDelayMs: { initial: number; max: number };
  logger: McpLogger;
  clientInfo: { name: string; version: string };
}

const silentLogger: McpLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export function resolveOptions(options: McpToolboxOptions): ResolvedMcpOptions {
  return {
    callTimeoutMs: options.callTimeoutMs ?? MCP_DEFAULTS.callTimeoutMs,
    resultMaxTokens: options.resultMaxTokens ?? MCP_DEFAULTS.resultMaxTokens,
    refreshIntervalMs: options.refreshIntervalMs ?? MCP_DEFAULTS.refreshIntervalMs,
    connectTimeoutMs: options.connectTimeoutMs ?? MCP_DEFAULTS.connectTimeoutMs,
    reconnectDelayMs: options.reconnectDelayMs ?? { ...MCP_DEFAULTS.reconnectDelayMs },
    logger: options.logger ?? silentLogger,
    clientInfo: options.clientInfo ?? { ...MCP_DEFAULTS.clientInfo },
  };
}
