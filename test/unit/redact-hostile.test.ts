import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { Linter } from 'eslint';
import regexp from 'eslint-plugin-regexp';
import { describe, expect, it } from 'vitest';
import { SECRET_PATTERNS, redactSecrets } from '../../src/core/redact.js';

/*
 * Masking runs on every message pasted into Slack, so its cost must grow linearly with the text,
 * whatever the text. Two independent checks, neither timing anything:
 *
 * 1. eslint-plugin-regexp's static analysis (the same rules the lint runs, at their strictest
 *    settings) on every exported pattern: no two quantifiers can trade characters (polynomial
 *    backtracking inside one attempt), and no pattern starts with an unbounded quantifier.
 * 2. The work each pattern does on adversarial text, counted by a backtracking matcher that
 *    follows the ECMAScript matching algorithm step by step (the order in which V8 tries and
 *    backtracks; V8's optimisations only skip work). It also counts what the static analysis
 *    cannot see: an unbounded quantifier after a prefix that appears many times, where every
 *    start position reads to the end of the text. Each pattern must stay within a fixed number
 *    of steps per character at 100k characters, and ten times the text must cost about ten times
 *    the work (a quadratic pattern costs a hundred times).
 *
 * Both checks are shown to fail on the patterns this module used before (known quadratic).
 */

// ---------------------------------------------------------------------------------------------
// A step-counting backtracking matcher for the regex features the detectors use: characters,
// classes, \s \d \w ., groups, alternation, greedy and lazy quantifiers, ^ $ \b, lookahead,
// lookbehind and backreferences, with the `i` flag (non-Unicode case folding). It is compiled to
// a small instruction list and run with an explicit backtrack stack, so 100k-character runs do
// not exhaust the call stack. Captures are not reset between quantifier iterations (no detector
// refers back to a group inside a quantifier); the V8 cross-check below guards that assumption.
// ---------------------------------------------------------------------------------------------

const enum Op {
  Char,
  Split,
  Jump,
  Save,
  LineStart,
  LineEnd,
  WordBoundary,
  NotWordBoundary,
  Look,
  BackReference,
  Mark,
  Progress,
  Match,
}

type Instruction =
  | { op: Op.Char; table: Uint8Array; backward: boolean }
  | { op: Op.Split; first: number; second: number }
  | { op: Op.Jump; to: number }
  | { op: Op.Save; slot: number }
  | { op: Op.LineStart | Op.LineEnd | Op.WordBoundary | Op.NotWordBoundary | Op.Match }
  | { op: Op.Look; program: Instruction[]; negate: boolean; captures: boolean }
  | { op: Op.BackReference; group: number; backward: boolean }
  | { op: Op.Mark | Op.Progress; register: number };

/** ECMAScript Canonicalize for non-Unicode `i` regexes: upper-case, unless that leaves ASCII from non-ASCII. */
const CANONICAL = (() => {
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code += 1) {
    const upper = String.fromCharCode(code).toUpperCase();
    const folded = upper.length === 1 ? upper.charCodeAt(0) : code;
    table[code] = code >= 128 && folded < 128 ? code : folded;
  }
  return table;
})();

const SPACE_CODES = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
function isSpace(code: number): boolean {
  return SPACE_CODES.includes(code) || (code >= 0x2000 && code <= 0x200a);
}
function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

type SetNode = AST.Character | AST.CharacterClass | AST.CharacterSet | AST.CharacterClassRange | AST.CharacterClassElement;

function inSet(node: SetNode, code: number, dotAll: boolean): boolean {
  switch (node.type) {
    case 'Character':
      return node.value === code;
    case 'CharacterClassRange':
      return code >= node.min.value && code <= node.max.value;
    case 'CharacterClass': {
      const member = node.elements.some((element) => inSet(element, code, dotAll));
      return node.negate ? !member : member;
    }
    case 'CharacterSet': {
      if (node.kind === 'any') return dotAll || !isLineTerminator(code);
      if (node.kind === 'property') throw new Error('Unicode property escapes are not modelled');
      const member = node.kind === 'digit' ? code >= 48 && code <= 57 : node.kind === 'word' ? isWordCode(code) : isSpace(code);
      return node.negate ? !member : member;
    }
    default:
      throw new Error(`class element ${node.type} is not modelled`);
  }
}

/** For each code unit, whether the set accepts it (after case folding on both sides with `i`). */
function characterTable(node: SetNode, ignoreCase: boolean, dotAll: boolean): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code += 1) {
    if (inSet(node, code, dotAll)) table[ignoreCase ? CANONICAL[code]! : code] = 1;
  }
  return table;
}

function canBeEmpty(node: AST.Element | AST.Alternative): boolean {
  switch (node.type) {
    case 'Alternative':
      return node.elements.every(canBeEmpty);
    case 'Group':
    case 'CapturingGroup':
      return node.alternatives.some(canBeEmpty);
    case 'Quantifier':
      return node.min === 0 || canBeEmpty(node.element);
    case 'Character':
    case 'CharacterClass':
    case 'CharacterSet':
    case 'ExpressionCharacterClass':
      return false;
    default:
      return true;
  }
}

interface Compiled {
  program: Program;
  slots: number;
  registers: number;
  ignoreCase: boolean;
}

function compile(source: string, flags: string): Compiled {
  const ignoreCase = flags.includes('i');
  const dotAll = flags.includes('s');
  if (flags.includes('m') || flags.includes('u') || flags.includes('v')) throw new Error(`flags ${flags} are not modelled`);
  const pattern = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, { unicode: false });
  const groupNumbers = new Map<AST.CapturingGroup, number>();
  const groups: AST.CapturingGroup[] = [];
  const collect = (node: AST.Node): void => {
    if (node.type === 'CapturingGroup') groups.push(node);
    if ('alternatives' in node) node.alternatives.forEach(collect);
    if ('elements' in node && node.type === 'Alternative') node.elements.forEach(collect);
    if (node.type === 'Quantifier') collect(node.element);
  };
  collect(pattern);
  groups.sort((a, b) => a.start - b.start).forEach((group, index) => groupNumbers.set(group, index + 1));
  let registers = 0;
  const tables = new Map<string, Uint8Array>();
  const tableFor = (node: SetNode): Uint8Array => {
    let table = tables.get(node.raw);
    if (!table) tables.set(node.raw, (table = characterTable(node, ignoreCase, dotAll)));
    return table;
  };

  const emitAlternatives = (out: Instruction[], alternatives: AST.Alternative[], backward: boolean): void => {
    const jumps: { op: Op.Jump; to: number }[] = [];
    alternatives.forEach((alternative, index) => {
      if (index < alternatives.length - 1) {
        const split: Instruction = { op: Op.Split, first: out.length + 1, second: -1 };
        out.push(split);
        emitSequence(out, alternative.elements, backward);
        const jump = { op: Op.Jump as const, to: -1 };
        jumps.push(jump);
        out.push(jump);
        split.second = out.length;
      } else {
        emitSequence(out, alternative.elements, backward);
      }
    });
    for (const jump of jumps) jump.to = out.length;
  };
  const emitSequence = (out: Instruction[], elements: AST.Element[], backward: boolean): void => {
    const ordered = backward ? [...elements].reverse() : elements;
    for (const element of ordered) emitElement(out, element, backward);
  };
  const emitElement = (out: Instruction[], node: AST.Element, backward: boolean): void => {
    switch (node.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
        out.push({ op: Op.Char, table: tableFor(node), backward });
        return;
      case 'Group':
        emitAlternatives(out, node.alternatives, backward);
        return;
      case 'CapturingGroup': {
        const number = groupNumbers.get(node)!;
        out.push({ op: Op.Save, slot: backward ? number * 2 + 1 : number * 2 });
        emitAlternatives(out, node.alternatives, backward);
        out.push({ op: Op.Save, slot: backward ? number * 2 : number * 2 + 1 });
        return;
      }
      case 'Assertion':
        if (node.kind === 'lookahead' || node.kind === 'lookbehind') {
          const program: Instruction[] = [];
          emitAlternatives(program, node.alternatives, node.kind === 'lookbehind');
          program.push({ op: Op.Match });
          out.push({ op: Op.Look, program, negate: node.negate, captures: program.some((instruction) => instruction.op === Op.Save) });
        } else if (node.kind === 'word') out.push({ op: node.negate ? Op.NotWordBoundary : Op.WordBoundary });
        else out.push({ op: node.kind === 'start' ? Op.LineStart : Op.LineEnd });
        return;
      case 'Backreference': {
        const target = Array.isArray(node.resolved) ? node.resolved[0]! : node.resolved;
        out.push({ op: Op.BackReference, group: groupNumbers.get(target)!, backward });
        return;
      }
      case 'Quantifier':
        emitQuantifier(out, node, backward);
        return;
      default:
        throw new Error(`${node.type} is not modelled`);
    }
  };
  const emitQuantifier = (out: Instruction[], node: AST.Quantifier, backward: boolean): void => {
    for (let i = 0; i < node.min; i += 1) emitElement(out, node.element, backward);
    const guarded = canBeEmpty(node.element);
    const emitIteration = (): void => {
      // An optional iteration that matched nothing fails (RepeatMatcher's empty check).
      const register = guarded ? registers++ : -1;
      if (guarded) out.push({ op: Op.Mark, register });
      emitElement(out, node.element, backward);
      if (guarded) out.push({ op: Op.Progress, register });
    };
    const split = (): { op: Op.Split; first: number; second: number } => {
      const instruction = { op: Op.Split as const, first: -1, second: -1 };
      out.push(instruction);
      return instruction;
    };
    const aim = (instruction: { first: number; second: number }, body: number, exit: number): void => {
      instruction.first = node.greedy ? body : exit;
      instruction.second = node.greedy ? exit : body;
    };
    if (node.max === Infinity) {
      const loop = out.length;
      const choice = split();
      const body = out.length;
      emitIteration();
      out.push({ op: Op.Jump, to: loop });
      aim(choice, body, out.length);
      return;
    }
    const choices: { instruction: { first: number; second: number }; body: number }[] = [];
    for (let i = node.min; i < node.max; i += 1) {
      const instruction = split();
      choices.push({ instruction, body: out.length });
      emitIteration();
    }
    for (const { instruction, body } of choices) aim(instruction, body, out.length);
  };

  const program: Instruction[] = [{ op: Op.Save, slot: 0 }];
  emitAlternatives(program, pattern.alternatives, false);
  program.push({ op: Op.Save, slot: 1 }, { op: Op.Match });
  return { program: flatten(program), slots: (groups.length + 1) * 2, registers, ignoreCase };
}

/** The instructions in flat typed arrays, so that the loop below stays fast on 100k-character inputs. */
interface Program {
  ops: Int32Array;
  first: Int32Array;
  second: Int32Array;
  tables: (Uint8Array | undefined)[];
  lookarounds: (Program | undefined)[];
}

function flatten(instructions: Instruction[]): Program {
  const program: Program = {
    ops: new Int32Array(instructions.length),
    first: new Int32Array(instructions.length),
    second: new Int32Array(instructions.length),
    tables: [],
    lookarounds: [],
  };
  instructions.forEach((instruction, pc) => {
    program.ops[pc] = instruction.op;
    switch (instruction.op) {
      case Op.Char:
        program.tables[pc] = instruction.table;
        program.first[pc] = instruction.backward ? 1 : 0;
        break;
      case Op.Split:
        program.first[pc] = instruction.first;
        program.second[pc] = instruction.second;
        break;
      case Op.Jump:
        program.first[pc] = instruction.to;
        break;
      case Op.Save:
        program.first[pc] = instruction.slot;
        break;
      case Op.Look:
        program.lookarounds[pc] = flatten(instruction.program);
        program.first[pc] = instruction.negate ? 1 : 0;
        program.second[pc] = instruction.captures ? 1 : 0;
        break;
      case Op.BackReference:
        program.first[pc] = instruction.group;
        program.second[pc] = instruction.backward ? 1 : 0;
        break;
      case Op.Mark:
      case Op.Progress:
        program.first[pc] = instruction.register;
        break;
      default:
        break;
    }
  });
  return program;
}

class StepLimitExceeded extends Error {}

interface Work {
  steps: number;
  limit: number;
  stack: number[];
}

const BRANCH = 0;
const RESTORE_SLOT = 1;
const RESTORE_REGISTER = 2;

function isWordAt(input: string, index: number): boolean {
  return index >= 0 && index < input.length && isWordCode(input.charCodeAt(index));
}

/** Runs one program at one position; returns the end position (or -1) and leaves captures in `slots`. */
function runProgram(compiled: Compiled, program: Program, input: string, start: number, slots: Int32Array, registers: Int32Array, work: Work): number {
  const { ops, first, second, tables, lookarounds } = program;
  const canonical = compiled.ignoreCase ? CANONICAL : undefined;
  // One stack for every attempt (and nested lookaround) of a scan: this run owns the part above `base`.
  const stack = work.stack;
  const base = stack.length;
  let pc = 0;
  let position = start;
  for (;;) {
    work.steps += 1;
    if (work.steps > work.limit) throw new StepLimitExceeded();
    let ok = true;
    switch (ops[pc]) {
      case Op.Char: {
        const backward = first[pc] === 1;
        const index = backward ? position - 1 : position;
        if (index < 0 || index >= input.length) ok = false;
        else {
          const code = input.charCodeAt(index);
          ok = tables[pc]![canonical ? canonical[code]! : code] === 1;
        }
        if (ok) {
          position = backward ? position - 1 : position + 1;
          pc += 1;
        }
        break;
      }
      case Op.Split:
        stack.push(BRANCH, second[pc]!, position);
        pc = first[pc]!;
        break;
      case Op.Jump:
        pc = first[pc]!;
        break;
      case Op.Save: {
        const slot = first[pc]!;
        stack.push(RESTORE_SLOT, slot, slots[slot]!);
        slots[slot] = position;
        pc += 1;
        break;
      }
      case Op.LineStart:
        ok = position === 0;
        pc += 1;
        break;
      case Op.LineEnd:
        ok = position === input.length;
        pc += 1;
        break;
      case Op.WordBoundary:
      case Op.NotWordBoundary:
        ok = (isWordAt(input, position - 1) !== isWordAt(input, position)) === (ops[pc] === Op.WordBoundary);
        pc += 1;
        break;
      case Op.Look: {
        // Only a lookaround with groups inside can change captures; the others share the array.
        const inner = second[pc] === 1 ? Int32Array.from(slots) : slots;
        const found = runProgram(compiled, lookarounds[pc]!, input, position, inner, registers, work) >= 0;
        ok = found !== (first[pc] === 1);
        if (ok && found && inner !== slots) {
          for (let slot = 0; slot < slots.length; slot += 1) {
            if (inner[slot] !== slots[slot]) {
              stack.push(RESTORE_SLOT, slot, slots[slot]!);
              slots[slot] = inner[slot]!;
            }
          }
        }
        pc += 1;
        break;
      }
      case Op.BackReference: {
        const group = first[pc]!;
        const backward = second[pc] === 1;
        const from = slots[group * 2]!;
        const to = slots[group * 2 + 1]!;
        if (from >= 0 && to >= from) {
          const length = to - from;
          const begin = backward ? position - length : position;
          ok = begin >= 0 && begin + length <= input.length;
          for (let i = 0; ok && i < length; i += 1) {
            work.steps += 1;
            const a = input.charCodeAt(from + i);
            const b = input.charCodeAt(begin + i);
            ok = canonical ? canonical[a] === canonical[b] : a === b;
          }
          if (ok) position = backward ? begin : begin + length;
        }
        pc += 1;
        break;
      }
      case Op.Mark: {
        const register = first[pc]!;
        stack.push(RESTORE_REGISTER, register, registers[register]!);
        registers[register] = position;
        pc += 1;
        break;
      }
      case Op.Progress:
        ok = registers[first[pc]!] !== position;
        pc += 1;
        break;
      case Op.Match:
        stack.length = base;
        return position;
      default:
        throw new Error(`unknown instruction ${ops[pc]}`);
    }
    if (ok) continue;
    // Backtrack: undo saves and marks back to the most recent open choice.
    for (;;) {
      if (stack.length === base) return -1;
      work.steps += 1;
      const value = stack.pop()!;
      const target = stack.pop()!;
      const kind = stack.pop()!;
      if (kind === BRANCH) {
        pc = target;
        position = value;
        break;
      }
      if (kind === RESTORE_SLOT) slots[target] = value;
      else registers[target] = value;
    }
  }
}

/** What one `String.prototype.replace` pass of a global regex does: every attempt, left to right. */
function scanAll(compiled: Compiled, input: string, limit: number): { steps: number; matches: [number, number][] } {
  const work: Work = { steps: 0, limit, stack: [] };
  const matches: [number, number][] = [];
  const slots = new Int32Array(compiled.slots);
  const registers = new Int32Array(Math.max(compiled.registers, 1));
  let lastIndex = 0;
  while (lastIndex <= input.length) {
    let end = -1;
    let start = lastIndex;
    for (; start <= input.length; start += 1) {
      slots.fill(-1);
      end = runProgram(compiled, compiled.program, input, start, slots, registers, work);
      if (end >= 0) break;
    }
    if (end < 0) break;
    matches.push([start, end]);
    lastIndex = end === start ? end + 1 : end;
  }
  return { steps: work.steps, matches };
}

/** Steps of one global pass, or Infinity past `limit`. */
function workOf(compiled: Compiled, input: string, limit: number): number {
  try {
    return scanAll(compiled, input, limit).steps;
  } catch (error) {
    if (error instanceof StepLimitExceeded) return Infinity;
    throw error;
  }
}

function v8Matches(source: string, flags: string, input: string): [number, number][] {
  return [...input.matchAll(new RegExp(source, flags))].map((match) => [match.index, match.index + match[0].length]);
}

// ---------------------------------------------------------------------------------------------
// Adversarial inputs. Each builds a text of about `size` characters.
// ---------------------------------------------------------------------------------------------

const BLANKS: Record<string, string> = {
  spaces: ' ',
  tabs: '\t',
  'vertical tabs': '\v',
  'form feeds': '\f',
  'carriage returns': '\r',
  'no-break spaces': '\u00a0',
  'em spaces': '\u2003',
  'ideographic spaces': '\u3000',
  'mixed blanks': ' \t\v\f\r\u00a0\u2003\u3000\u2009\u202f\ufeff',
};

const fill = (unit: string, size: number): string => unit.repeat(Math.max(1, Math.ceil(size / unit.length))).slice(0, size);
const after = (prefix: string, unit: string, size: number): string => prefix + fill(unit, size - prefix.length);

/** Deterministic pseudo-random base64 (a real secret key's alphabet), no `Math.random`. */
function base64Noise(size: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let state = 12345;
  let text = '';
  for (let i = 0; i < size; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += alphabet[state % 64];
  }
  return text;
}

const HOSTILE: Record<string, (size: number) => string> = {};
for (const [name, blank] of Object.entries(BLANKS)) {
  HOSTILE[`session_token + ${name}, no value`] = (size) => after('session_token', blank, size);
  HOSTILE[`secret + ${name}, no value`] = (size) => after('secret', blank, size);
}
// The other hint shapes with the two blank runs that differ for `[^\S\n]` (every blank kind is above).
for (const [name, blank] of Object.entries({ spaces: BLANKS.spaces!, 'mixed blanks': BLANKS['mixed blanks']! })) {
  HOSTILE[`aws_secret_access_key + ${name} + "=" + ${name}`] = (size) => after('aws_secret_access_key', blank, size / 2) + after('=', blank, size / 2);
  HOSTILE[`"AWS Secret Access Key [None]:" + ${name}`] = (size) => after('AWS Secret Access Key [None]:', blank, size);
  HOSTILE[`password + ${name}`] = (size) => after('password', blank, size);
  HOSTILE[`password= + ${name} + quote`] = (size) => `${after('password=', blank, size - 1)}"`;
}
Object.assign(HOSTILE, {
  'a run of A': (size: number) => fill('A', size),
  'a run of base64': (size: number) => base64Noise(size),
  'a run of hex': (size: number) => fill('0123456789abcdef', size),
  'secret= + base64 run': (size: number) => `secret=${base64Noise(size - 7)}`,
  'session_token= + base64 run + "=" padding': (size: number) => `session_token=${base64Noise(size / 2)}${fill('=', size / 2)}`,
  'a redacted key id + base64 run': (size: number) => `[REDACTED:aws_access_key_id] ${base64Noise(size - 29)}`,
  'repeated "secret "': (size: number) => fill('secret ', size),
  'repeated "secret:"': (size: number) => fill('secret:', size),
  'repeated "secret is "': (size: number) => fill('secret is ', size),
  'repeated "Secret Access Key [None]: "': (size: number) => fill('Secret Access Key [None]: ', size),
  'secret + unclosed bracket': (size: number) => after('secret [', 'x', size),
  'repeated "session_token= "': (size: number) => fill('session_token= ', size),
  'repeated session token hints, no separators': (size: number) => fill('sessiontoken', size),
  'repeated redacted key ids': (size: number) => fill('[REDACTED:aws_access_key_id] ', size),
  'redacted key ids between base64 runs': (size: number) => fill(`[REDACTED:aws_access_key_id]${base64Noise(39)} `, size),
  'repeated access key id prefixes': (size: number) => fill('AKIA', size),
  'repeated PEM BEGIN lines (spaces)': (size: number) => fill('-----BEGIN RSA PRIVATE KEY----- ', size),
  'repeated PEM BEGIN lines (newlines)': (size: number) => fill('-----BEGIN RSA PRIVATE KEY-----\n', size),
  'PEM BEGIN lines between dash runs': (size: number) => fill(`-----BEGIN RSA PRIVATE KEY----- ${'-'.repeat(30)}`, size),
  'PEM BEGIN + base64 lines, no END': (size: number) => `-----BEGIN RSA PRIVATE KEY-----${fill(`\n${base64Noise(64)}`, size - 31)}`,
  'PEM BEGIN + header lines + a backslash': (size: number) => `-----BEGIN RSA PRIVATE KEY-----${fill('\nProc-Type: 4,ENCRYPTED', size - 32)}\\`,
  'PEM BEGIN + long label': (size: number) => after('-----BEGIN ', 'A', size),
  'repeated PEM END lines': (size: number) => fill('-----END RSA PRIVATE KEY-----', size),
  'repeated "https://"': (size: number) => fill('https://', size),
  'URL user + long password, no @': (size: number) => after('postgres://admin:', 'x', size),
  'repeated "a://b:"': (size: number) => fill('a://b:', size),
  'scheme of dotted letters + long password': (size: number) => after(`${'a.'.repeat(15)}a://b:`, 'x', size),
  'repeated "password=\\""': (size: number) => fill('password="', size),
  'underscores + password + quote, no closing quote': (size: number) => after(`${'_'.repeat(40)}password: "`, 'x', size),
  'repeated "password: "': (size: number) => fill('password: ', size),
  'repeated slack/anthropic/github prefixes': (size: number) => fill('xoxb-sk-ant-ghp_github_pat_', size),
  'repeated webhook prefixes': (size: number) => fill('https://hooks.slack.com/services/', size),
  'hints, runs and prefixes one after another': (size: number) =>
    ['secret = ', 'A', '-----BEGIN RSA PRIVATE KEY----- ', 'x ', 'a.', 'a_', 'https://', 'password: "', '[REDACTED:aws_access_key_id] '].map((unit) => fill(unit, size / 9)).join(''),
});

/** What a linear pattern may spend per character of input, whatever the input. */
const STEPS_PER_CHARACTER = 100;
const LARGE = 100_000;

// The patterns this module used before: quadratic on the inputs above. Kept to show the checks fail.
const PREVIOUS_HINT_GAP = String.raw`["'\x60]?[^\S\n]*(?:=>|[:=,>]|\bis\b)?[^\S\n]*["'\x60]?`;
const PREVIOUS_PATTERNS = {
  'hinted secret key': {
    source: String.raw`(?<hint>(?:aws_?secret_?access_?key|secret_?access_?key|secret[_ -]?key|secret|\[REDACTED:aws_access_key_id\])(?![A-Za-z0-9])${PREVIOUS_HINT_GAP})(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    flags: 'gi',
    input: HOSTILE['secret + spaces, no value']!,
  },
  'hinted session token': {
    source: String.raw`(?<hint>(?:aws_?session_?token|session_?token|aws_?security_?token|security_?token)${PREVIOUS_HINT_GAP})(?<secret>[A-Za-z0-9/+]{16,}={0,2})`,
    flags: 'gi',
    input: HOSTILE['session_token + ideographic spaces, no value']!,
  },
  'PEM block': {
    source: String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`,
    flags: 'g',
    input: HOSTILE['PEM BEGIN lines between dash runs']!,
  },
};

const compiledPatterns = SECRET_PATTERNS.map((pattern, index) => ({ ...pattern, index, compiled: compile(pattern.source, pattern.flags) }));

describe('the step-counting matcher', () => {
  it('finds exactly what V8 finds, for every pattern, on hostile and realistic text', () => {
    const realistic = [
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'AWS Secret Access Key [****************EKEY]: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '"SessionToken": "IQoJb3JpZ2luX2VjEOv//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3x7Yk+abc/def=="',
      'AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '[REDACTED:aws_access_key_id] and the secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.',
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\n-----END RSA PRIVATE KEY-----',
      '{"k":"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIB\\n-----END EC PRIVATE KEY-----"}',
      'xoxb-123456789012-1234567890123-AbCdEf xapp-1-A0123456789-1234 sk-ant-api03-Zx9_aB3-cD4eF5gH6iJ7kL8mN9oP0',
      'postgres://admin:hunter2@db:5432 redis://:p4ss@cache "password": "correct horse" DB_PASSWORD=s3cr3t! pass: x',
      "MasterUserPassword: 'Tr0ub4dor&3' and password: 'unclosed",
    ].join('\n');
    const samples = [...Object.values(HOSTILE).map((build) => build(2_000)), realistic];
    for (const pattern of compiledPatterns) {
      for (const sample of samples) {
        const modelled = scanAll(pattern.compiled, sample, Number.MAX_SAFE_INTEGER).matches;
        expect(modelled, `/${pattern.source}/${pattern.flags} on ${JSON.stringify(sample.slice(0, 60))}`).toEqual(v8Matches(pattern.source, pattern.flags, sample));
      }
    }
    for (const { source, flags, input } of Object.values(PREVIOUS_PATTERNS)) {
      for (const sample of [realistic, input(2_000)]) {
        expect(scanAll(compile(source, flags), sample, Number.MAX_SAFE_INTEGER).matches).toEqual(v8Matches(source, flags, sample));
      }
    }
  });

  it('counts the old hint gap and PEM block as super-linear (so the work check can fail)', () => {
    for (const [name, { source, flags, input }] of Object.entries(PREVIOUS_PATTERNS)) {
      const compiled = compile(source, flags);
      const small = workOf(compiled, input(1_000), Infinity);
      const large = workOf(compiled, input(4_000), Infinity);
      expect(large / small, name).toBeGreaterThan(10);
      expect(workOf(compiled, input(LARGE), STEPS_PER_CHARACTER * LARGE), name).toBe(Infinity);
    }
  });
});

describe('every masking pattern does linear work on hostile input', () => {
  it.each(compiledPatterns)('pattern $index ($kind): within the per-character budget at 100k characters, and 10 times the text is about 10 times the work', (pattern) => {
    for (const [inputName, build] of Object.entries(HOSTILE)) {
      const small = workOf(pattern.compiled, build(LARGE / 10), (STEPS_PER_CHARACTER * LARGE) / 10);
      const large = workOf(pattern.compiled, build(LARGE), STEPS_PER_CHARACTER * LARGE);
      expect(large, `${inputName}: over ${STEPS_PER_CHARACTER} steps per character`).toBeLessThanOrEqual(STEPS_PER_CHARACTER * LARGE);
      expect(large / small, `${inputName}: work grows faster than the text`).toBeLessThan(11);
    }
  });
});

describe('static analysis of every masking pattern (eslint-plugin-regexp, strictest settings)', () => {
  const linter = new Linter({ configType: 'flat' });
  const config: Linter.Config[] = [
    {
      plugins: { regexp },
      rules: {
        'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
        'regexp/no-super-linear-move': ['error', { report: 'potential', ignorePartial: false, ignoreSticky: false }],
      },
    },
  ];
  const findings = (source: string, flags: string): string[] =>
    linter.verify(`export const pattern = /${source}/${flags};\n`, config).map((message) => `${message.ruleId}: ${message.message}`);

  it.each(SECRET_PATTERNS.map((pattern, index) => ({ ...pattern, index })))('pattern $index ($kind) has no super-linear backtracking or move', ({ source, flags }) => {
    expect(findings(source, flags)).toEqual([]);
  });

  it('flags the old hint gap (so this check can fail)', () => {
    const { source, flags } = PREVIOUS_PATTERNS['hinted session token'];
    expect(findings(source, flags).join('\n')).toMatch(/no-super-linear-backtracking/);
  });
});

describe('masking stays correct on hostile input', () => {
  it.each(Object.keys(BLANKS))('a hint followed by 100k %s and no value is left as it is', (name) => {
    for (const hint of ['session_token', 'secret', 'AWS Secret Access Key [None]:']) {
      const input = after(hint, BLANKS[name]!, LARGE);
      expect(redactSecrets(input)).toEqual({ text: input, found: [] });
    }
  });

  it('still masks a secret after a hostile run', () => {
    const secret = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join('');
    const input = `${fill('secret ', LARGE)}\naws_secret_access_key = ${secret}`;
    const { text, found } = redactSecrets(input);
    expect(found).toEqual(['aws_secret_access_key']);
    expect(text.endsWith('aws_secret_access_key = [REDACTED:aws_secret_access_key]')).toBe(true);
  });
});
