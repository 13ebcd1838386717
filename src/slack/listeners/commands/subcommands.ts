import type { RespondArguments, SlashCommand } from '@slack/bolt';
import { HELP_TEXT } from '../../intake.js';
import type { ListenerDeps } from '../index.js';
import { usageSubcommand } from './usage.js';

/**
 * The words after `/aws` that are not questions, routed from this one table: to add one (for
 * example `usage`), add an entry. Anything else after `/aws` is a question.
 */
export interface SubcommandInput {
  command: SlashCommand;
  /** The text after the subcommand's name. */
  args: string;
  deps: ListenerDeps;
}

export type SubcommandReply = string | RespondArguments;

export interface Subcommand {
  /**
   * Returns the reply shown only to the person who ran the command. It runs before Slack's
   * 3-second acknowledgement deadline: read, validate or enqueue here, never call the model.
   */
  run(input: SubcommandInput): Promise<SubcommandReply>;
}

export type SubcommandTable = Readonly<Record<string, Subcommand>>;

export const SUBCOMMANDS: SubcommandTable = {
  help: { run: async () => HELP_TEXT },
  usage: usageSubcommand,
};

/** `/aws` alone asks for help. */
const BARE_COMMAND = 'help';

export interface RoutedSubcommand {
  name: string;
  subcommand: Subcommand;
  args: string;
}

/** The subcommand a command's text names, or undefined when the text is a question. */
export function routeSubcommand(text: string, table: SubcommandTable = SUBCOMMANDS): RoutedSubcommand | undefined {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const name = trimmed.length === 0 ? BARE_COMMAND : first.toLowerCase();
  const subcommand = Object.hasOwn(table, name) ? table[name] : undefined;
  return subcommand ? { name, subcommand, args: rest.join(' ') } : undefined;
}
