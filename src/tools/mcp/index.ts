/** The MCP tool provider's public surface: the toolbox and its options. */
export { McpToolbox } from './toolbox.js';
export type { McpServerConfig, McpToolboxOptions } from './options.js';
