/** The MCP tool provider's public surface: the toolbox, its options and the settings parser. */
export { McpToolbox } from './toolbox.js';
export { MCP_DEFAULTS, type McpLogger, type McpServerConfig, type McpServerKind, type McpToolboxOptions } from './options.js';
export type { McpServerState, McpServerStatus } from './server-connection.js';
