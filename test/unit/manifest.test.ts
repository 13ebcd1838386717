import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ASK_ABOUT_MESSAGE } from '../../src/slack/listeners/shortcuts/ask-about-message.js';

/**
 * manifest.yml is what people paste into Slack to create the app: it must be a manifest Slack
 * accepts, and it must turn on everything the code listens for. The schema below is the part of
 * Slack's published manifest schema (github.com/slackapi/manifest-schema, schemas/
 * manifest.schema.1.0.0.json: `additionalProperties: false` everywhere, the length limits and
 * enums) that covers the sections this manifest uses; unknown keys fail as they do in Slack.
 */
const MANIFEST = new URL('../../manifest.yml', import.meta.url);

const httpUrl = z.string().regex(/^https?:\/\//);
const scopeList = z.array(z.string().max(50)).max(255);
const unique = (values: readonly string[]) => new Set(values).size === values.length;
const eventList = z.array(z.string().max(50)).max(100).refine(unique, 'events must be unique');

const manifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.number().optional(), minor_version: z.number().optional() }).optional(),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140).optional(),
    background_color: z.string().regex(/^#[\da-f]{3}(?:[\da-f]{3})?$/i).optional(),
    long_description: z.string().min(175).max(4000).optional(),
  }),
  features: z
    .strictObject({
      app_home: z.strictObject({ home_tab_enabled: z.boolean().optional(), messages_tab_enabled: z.boolean().optional(), messages_tab_read_only_enabled: z.boolean().optional() }).optional(),
      bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() }).optional(),
      assistant_view: z
        .strictObject({ assistant_description: z.string(), suggested_prompts: z.array(z.strictObject({ title: z.string(), message: z.string() })).optional() })
        .optional(),
      shortcuts: z
        .array(z.strictObject({ name: z.string().min(1).max(24), type: z.enum(['message', 'global']), callback_id: z.string().min(1).max(255), description: z.string().min(1).max(150) }))
        .min(1)
        .max(10)
        .optional(),
      slash_commands: z
        .array(
          z.strictObject({
            command: z.string().min(2).max(32).regex(/^\//),
            url: httpUrl.max(3000).optional(),
            description: z.string().min(1).max(2000),
            usage_hint: z.string().min(1).max(1000).optional(),
            should_escape: z.boolean().optional(),
          }),
        )
        .min(1)
        .max(50)
        .optional(),
    })
    .optional(),
  oauth_config: z
    .strictObject({
      redirect_urls: z.array(httpUrl).optional(),
      scopes: z.strictObject({ user: scopeList.optional(), bot: scopeList.optional(), user_optional: scopeList.optional(), bot_optional: scopeList.optional() }).optional(),
      token_management_enabled: z.boolean().optional(),
      pkce_enabled: z.boolean().optional(),
    })
    .optional(),
  settings: z
    .strictObject({
      event_subscriptions: z.strictObject({ request_url: httpUrl.max(3500).optional(), bot_events: eventList.optional(), user_events: eventList.optional() }).optional(),
      interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpUrl.max(3500).optional(), message_menu_options_url: httpUrl.max(3500).optional() }).optional(),
      org_deploy_enabled: z.boolean().optional(),
      socket_mode_enabled: z.boolean().optional(),
      token_rotation_enabled: z.boolean().optional(),
    })
    .optional(),
});

describe('manifest.yml', () => {
  const manifest = manifestSchema.parse(readYaml(readFileSync(MANIFEST, 'utf8')));

  it("offers the message shortcut the bot listens for, where Slack shows it: a message's menu", () => {
    expect(manifest.features?.shortcuts).toContainEqual(expect.objectContaining({ type: 'message', callback_id: ASK_ABOUT_MESSAGE, name: 'Ask aws-orchestrator' }));
    // Shortcuts arrive as interactivity payloads, and need the `commands` scope.
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.oauth_config?.scopes?.bot).toContain('commands');
  });

  it('turns on the Home tab and subscribes to its opening, beside the Messages tab people DM the bot in', () => {
    expect(manifest.features?.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false });
    expect(manifest.settings?.event_subscriptions?.bot_events).toContain('app_home_opened');
  });

  it('subscribes to every event and grants every scope the listeners and workers rely on', () => {
    expect(manifest.settings?.event_subscriptions?.bot_events).toEqual(
      expect.arrayContaining(['app_mention', 'message.channels', 'message.groups', 'message.im', 'message.mpim', 'assistant_thread_started', 'assistant_thread_context_changed']),
    );
    expect(manifest.oauth_config?.scopes?.bot).toEqual(
      expect.arrayContaining(['app_mentions:read', 'chat:write', 'channels:history', 'groups:history', 'im:history', 'mpim:history', 'commands', 'assistant:write']),
    );
    expect(manifest.features?.slash_commands?.map((command) => command.command)).toEqual(['/aws']);
    expect(manifest.features?.assistant_view?.assistant_description.length).toBeGreaterThan(0);
    expect(manifest.settings?.socket_mode_enabled).toBe(true);
  });

  it("is checked against Slack's limits: a key Slack does not know, or a shortcut name over 24 characters, fails", () => {
    const valid = readYaml(readFileSync(MANIFEST, 'utf8')) as { features: { shortcuts: Array<Record<string, unknown>>; app_home: Record<string, unknown> } };
    const longName = structuredClone(valid);
    longName.features.shortcuts[0]!.name = 'Ask aws-orchestrator about it';
    expect(manifestSchema.safeParse(longName).success).toBe(false);
    const unknownKey = structuredClone(valid);
    unknownKey.features.app_home.home_tab = true;
    expect(manifestSchema.safeParse(unknownKey).success).toBe(false);
  });
});

describe('the YAML reader of this test', () => {
  it('reads block mappings, sequences of scalars and of mappings, quotes, comments and booleans', () => {
    const text = ['# a comment', 'a:', '  b: "#not a comment" # a comment', "  c: 'it''s'", '  d:', '    - one', '    - two: 2', '      three: false', 'e: plain text, with a comma'].join('\n');
    expect(readYaml(text)).toEqual({ a: { b: '#not a comment', c: "it's", d: ['one', { two: 2, three: false }] }, e: 'plain text, with a comma' });
  });

  it('refuses what it does not understand instead of misreading it', () => {
    expect(() => readYaml('a: [one, two]')).toThrow(/unsupported/);
    expect(() => readYaml('a: |\n  text')).toThrow(/unsupported/);
    expect(() => readYaml('a: 1\na: 2')).toThrow(/twice/);
    expect(() => readYaml('a:\n    b: 1\n  c: 2')).toThrow(/indentation/);
  });
});

// ---- a reader for the block-style YAML subset manifest.yml is written in ----------------------

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  number: number;
}

const KEY_LINE = /^([a-z_][\w.-]*):(?:\s(.*))?$/i;

function readYaml(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tabs are unsupported`);
    const text = withoutComment(raw).trimEnd();
    if (text.trim().length > 0) lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), number: index + 1 });
  });
  let at = 0;
  const fail = (line: Line | undefined, why: string): never => {
    throw new Error(`line ${line?.number ?? 'end'}: ${why}`);
  };
  const isItem = (line: Line) => line.text === '-' || line.text.startsWith('- ');

  function block(): Yaml {
    const line = lines[at]!;
    return isItem(line) ? sequence(line.indent) : mapping(line.indent);
  }

  function mapping(indent: number): Yaml {
    const result: { [key: string]: Yaml } = {};
    while (at < lines.length && lines[at]!.indent === indent && !isItem(lines[at]!)) {
      const line = lines[at]!;
      const match = KEY_LINE.exec(line.text) ?? fail(line, `not a "key: value" line: ${line.text}`);
      const [, key = '', value] = match;
      const rest = value?.trim();
      if (key in result) fail(line, `key ${key} given twice`);
      at += 1;
      const next = lines[at];
      if (rest !== undefined && rest.length > 0) result[key] = scalar(rest, line);
      else if (next && (next.indent > indent || (next.indent === indent && isItem(next)))) result[key] = block();
      else result[key] = null;
    }
    if (at < lines.length && lines[at]!.indent > indent) fail(lines[at], 'unexpected indentation');
    return result;
  }

  function sequence(indent: number): Yaml {
    const result: Yaml[] = [];
    while (at < lines.length && lines[at]!.indent === indent && isItem(lines[at]!)) {
      const line = lines[at]!;
      const rest = line.text.slice(1).trimStart();
      if (rest.length === 0) {
        at += 1;
        result.push(block());
      } else if (KEY_LINE.test(rest)) {
        // "- key: value" opens a mapping whose keys line up with this first one.
        const contentIndent = indent + (line.text.length - rest.length);
        lines[at] = { ...line, indent: contentIndent, text: rest };
        result.push(mapping(contentIndent));
      } else {
        result.push(scalar(rest, line));
        at += 1;
      }
    }
    if (at < lines.length && lines[at]!.indent > indent) fail(lines[at], 'unexpected indentation');
    return result;
  }

  const value = lines.length > 0 ? block() : null;
  if (at < lines.length) fail(lines[at], 'unexpected indentation');
  return value;
}

function scalar(raw: string, line: Line): Yaml {
  if (raw.startsWith('"')) return JSON.parse(raw) as string;
  if (raw.startsWith("'")) {
    if (!raw.endsWith("'") || raw.length < 2) throw new Error(`line ${line.number}: unterminated quote`);
    return raw.slice(1, -1).replaceAll("''", "'");
  }
  if (/^[[{&*|>!%@`]/.test(raw)) throw new Error(`line ${line.number}: unsupported YAML: ${raw}`);
  if (raw.includes(': ')) throw new Error(`line ${line.number}: unsupported YAML (a plain value holding ": "): ${raw}`);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null' || raw === '~') return null;
  if (/^-?\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** A `#` starts a comment at the start of a line or after a space, outside quotes. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(line[index - 1]!))) {
      return line.slice(0, index);
    }
  }
  return line;
}
