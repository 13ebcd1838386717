/**
 * What the model loop needs from a tool, and nothing more: its definition for the model, the
 * words a person sees while it runs, and a way to run it. Providers (src/tools/) implement it:
 * AWS documentation and teams' own servers over MCP, and read-only calls to a team's AWS account.
 * Nothing here knows Slack, Redis or a transport.
 */

/** A JSON Schema object, as the Messages API takes it in `tools[].input_schema`. */
export interface ToolInputSchema {
  type: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [key: string]: unknown;
}

/** How a tool is offered to the model (`tools[]` of the request). */
export interface ToolDefinition {
  /** Unique among the tools offered; `^[a-zA-Z0-9_-]{1,128}$` (the API's rule). */
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

/** A page a tool returned or read: shown under the answer as a source. */
export interface ToolSource {
  url: string;
  title: string;
}

/** Who asked, for tools that act on a person's behalf (an STS session name, an audit line, a limit). */
export interface ToolAsker {
  teamId: string;
  channel: string;
  userId: string;
}

export interface ToolContext {
  /** Aborted when the person presses Stop or the call's time limit passes. */
  signal: AbortSignal;
  asker: ToolAsker;
}

/** A tool's result as the model gets it (a `tool_result` block). */
export interface ToolOutcome {
  /** Plain text for the model; already bounded and with secrets masked by the provider. */
  text: string;
  /** The tool failed (down, denied, bad input): the model is told so and answers without it. */
  isError: boolean;
  sources: ToolSource[];
  /** Provider-specific facts for the logs (an AWS request id, the server's name). */
  log?: Record<string, unknown>;
}

export interface Tool {
  definition: ToolDefinition;
  /** The step a person sees while it runs, e.g. "Searching AWS docs: ECS Service Connect Fargate". */
  describe(input: Record<string, unknown>): string;
  /** Never throws for the tool's own failures: those are outcomes with isError. Honours the signal. */
  run(input: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome>;
  /**
   * How long a result may be reused for the same tool and input (0: never). A model retry, Retry
   * or a crash resume then repeats no completed call.
   */
  reuseSeconds: number;
  /**
   * The call is made on the asker's behalf (a session named after them, their limit, an audit
   * line naming them): its result is reused for that person only, never for someone else.
   */
  actsForAsker?: boolean;
}
