/**
 * Where a process's CPU went, from a V8 CPU profile (node --cpu-prof): each sample is charged to
 * the innermost frame that belongs to a component — a file of the bot (src/…, or its build) or a package — so
 * Node's own internals count for whoever called them. Samples before the bot's first answer
 * (start-up, module loading) are left out.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  /** The node sampled at each tick (ticks are equally spaced). */
  samples: number[];
}

export interface ComponentShare {
  component: string;
  share: number;
}

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)']);

/** A package, or a file of the bot named by its source (a compiled `dist/x.js` is `src/x.ts`). */
export function componentOf(url: string, repoRoot: string): string | undefined {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg === 'tsx' ? undefined : pkg;
  const root = repoRoot.replace(/\/$/, '');
  const index = url.indexOf(`${root}/src/`);
  if (index >= 0) return url.slice(index + root.length + 1);
  const compiled = url.indexOf(`${root}/dist/`);
  return compiled >= 0 ? `src/${url.slice(compiled + root.length + '/dist/'.length).replace(/\.js$/, '.ts')}` : undefined;
}

/** Shares of the samples taken from the first one inside `startComponentPrefix` on. */
export function componentShares(profile: CpuProfile, repoRoot: string, startComponentPrefix = 'src/answer/'): ComponentShare[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const memo = new Map<number, string>();
  const attribute = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id);
    let component = 'Node.js and native code';
    if (node) {
      const own = componentOf(node.callFrame.url, repoRoot);
      if (own) component = own;
      else if (SPECIAL.has(node.callFrame.functionName)) component = node.callFrame.functionName;
      else if (parentOf.has(id)) component = attribute(parentOf.get(id)!);
    }
    memo.set(id, component);
    return component;
  };
  const counts = new Map<string, number>();
  let started = false;
  let total = 0;
  for (const sample of profile.samples) {
    const component = attribute(sample);
    started ||= component.startsWith(startComponentPrefix);
    if (!started) continue;
    counts.set(component, (counts.get(component) ?? 0) + 1);
    total += 1;
  }
  return [...counts.entries()].map(([component, count]) => ({ component, share: count / total })).sort((a, b) => b.share - a.share);
}

/** The main thread's profile node wrote for `pid` into `dir` (node names it CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile). */
export function readProcessProfile(dir: string, pid: number): CpuProfile | undefined {
  const file = readdirSync(dir).find((name) => name.includes(`.${pid}.0.`) && name.endsWith('.cpuprofile'));
  return file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile) : undefined;
}

/** A fresh directory for profiles, and node's arguments to write one there on exit. */
export function profilingArgs(): { dir: string; nodeArgs: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpuprof-'));
  return { dir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] };
}
