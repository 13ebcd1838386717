/**
 * The terminal client: ask the model what the Slack bot would be asked, with the bot's prompt,
 * history rules and streaming code, and see the answer as it streams and the tokens it used.
 * Needs only the ANTHROPIC_* settings (from the environment or .env), no Slack and no Redis.
 *
 *   npm run ask -- "How do I set up ECS?"     one question
 *   npm run ask                               a conversation (/new starts over, /exit or Ctrl-D leaves)
 *
 * The answer goes to stdout; status lines and the usage line go to stderr. Ctrl-C stops an
 * answer being written (and leaves at the prompt). Exit code: 0 answered, 1 not, 2 bad settings.
 */
import { createInterface } from 'node:readline';
import { ConfigError, loadDotEnv, loadModelConfig, type Config } from '../config.js';
import { buildPriceTable, type PriceTable } from '../core/prices.js';
import type { TerminalConversation } from './terminal-conversation.js';
import { usageLine } from './usage-line.js';

const HELP = `Usage: npm run ask -- [--verbose] ["question"]
  With a question: answers it and exits. Without: an interactive conversation.
  In a conversation: /new starts over, /exit (or Ctrl-D) leaves, Ctrl-C stops an answer.
  Settings: ANTHROPIC_API_KEY (required), ANTHROPIC_MODEL, ANTHROPIC_BASE_URL, ANTHROPIC_EFFORT,
  ANTHROPIC_MAX_TOKENS, SYSTEM_PROMPT… as for the bot (environment or .env).`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const verbose = args.includes('--verbose');
  const question = args.filter((arg) => arg !== '--verbose').join(' ').trim();

  const model = loadModelSettingsOrExplain();
  if (!model) return 2;
  // Loaded once the settings are known to be good: a mistake is reported at once.
  const [{ createAnthropicClient }, { modelLoop }, { ModelProfiles }, { familyOf }, { createLogger }, { TerminalConversation }] = await Promise.all([
    import('../model/anthropic-client.js'),
    import('../model/model-loop.js'),
    import('../model/model-profile.js'),
    import('../core/model-families.js'),
    import('../ops/logger.js'),
    import('./terminal-conversation.js'),
  ]);
  const logger = createLogger({ logLevel: verbose ? 'debug' : 'silent', logFormat: 'json' }, process.stderr, [model.apiKey]);
  const anthropic = createAnthropicClient(model);
  const profiles = new ModelProfiles();
  await profiles.load(anthropic, [model.name, ...(model.fallbackModel ? [model.fallbackModel] : [])]);
  const loop = modelLoop({
    anthropic,
    // The terminal offers no tools: with nothing to call, the tool settings do not matter.
    settings: { ...model, maxToolRounds: 0, toolTimeoutMs: 1000, toolResultTokens: 1000 },
    profileOf: (name) => profiles.get(name),
    logger,
  });
  const conversation = new TerminalConversation(
    loop,
    { systemPromptOverride: model.systemPrompt, historyTokenBudget: model.historyTokenBudget, maxQuestionChars: model.maxQuestionChars, maxTokens: model.maxTokens, tokenScale: familyOf(model.name).tokenScale },
    [],
    process.stdout,
    process.stderr,
  );
  // The usage line prices tokens as the bot's usage records do.
  const prices = buildPriceTable(model.pricesJson);
  if (question.length > 0) return askOnce(conversation, question, model.name, prices);
  return converse(conversation, model.name, prices);
}

function loadModelSettingsOrExplain(): Config['model'] | undefined {
  try {
    loadDotEnv();
    return loadModelConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`npm run ask cannot start.\n${error.message}\nSee .env.example.\n`);
    return undefined;
  }
}

async function askOnce(conversation: TerminalConversation, question: string, modelName: string, prices: PriceTable): Promise<number> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const { outcome, startedAt } = await conversation.ask(question, stop.signal);
    process.stderr.write(`${usageLine(outcome, startedAt, modelName, prices)}\n`);
    return outcome.status === 'answered' || outcome.status === 'truncated' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function converse(conversation: TerminalConversation, modelName: string, prices: PriceTable): Promise<number> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout, prompt: 'you › ' });
  let answering: AbortController | undefined;
  // Ctrl-C stops the answer being written; at the prompt it leaves.
  terminal.on('SIGINT', () => (answering ? answering.abort() : terminal.close()));
  process.stderr.write(`Asking ${modelName}. /new starts over, /exit leaves.\n`);
  terminal.prompt();
  for await (const line of terminal) {
    const input = line.trim();
    if (input === '/exit' || input === '/quit') break;
    if (input === '/new') {
      conversation.reset();
      process.stderr.write('(new conversation)\n');
    } else if (input.length > 0) {
      answering = new AbortController();
      const { outcome, startedAt } = await conversation.ask(input, answering.signal);
      answering = undefined;
      process.stderr.write(`${usageLine(outcome, startedAt, modelName, prices)}\n\n`);
    }
    terminal.prompt();
  }
  terminal.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ask failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
