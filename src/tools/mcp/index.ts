/** The MCP tool provider's public surface: the toolbox, its options and the settings parser. */
export { McpToolbox } from './toolbox.js';
export { MCP_DEFAULTS, type McpLogger, type McpServerConfig, type McpServerKind, type McpToolboxOptions } from './options.js';
export type { McpServerState, McpServerStatus } from './server-connection.js';
export { AWS_DOCS_SERVER_NAME, DEFAULT_AWS_DOCS_MCP_URL, parseMcpServerSettings, type McpServerSettings, type McpSettingsInput } from './settings.js';
