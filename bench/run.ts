/**
 * `npm run bench`: every scenario in one run — the bot (one process, and web + two workers) and
 * the naive baseline against the same fakes and load — printed as it goes and written to
 * BENCHMARKS.md. BENCH_ONLY=ack,streaming,throughput,memory,tools runs a subset. The raw results
 * go to bench-results.json in the system's temporary directory; BENCH_RENDER=<that file> only
 * renders BENCHMARKS.md from it again. BENCH_COMPARE=<an earlier results file> adds how far this
 * run's figures are from that one's (the second of two runs, to tell a change from noise).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/bot.js';
import { buildDeployedSystems } from './harness/build.js';
import { runSystemsFrom } from './harness/world.js';
import { machineFacts } from './measure/proc.js';
import { measureQueueFloor } from './measure/queue-floor.js';
import { renderReport } from './report/markdown.js';
import { resultsFromJson, resultsToJson, type BenchResults } from './report/results.js';
import { runAck } from './scenarios/ack.js';
import { runMemory } from './scenarios/memory.js';
import { runStreaming } from './scenarios/streaming.js';
import { runThroughput } from './scenarios/throughput.js';
import { runTools, type ToolsResult } from './scenarios/tools.js';
import { PLAN } from './plan.js';

const RESULTS_FILE = join(tmpdir(), 'bench-results.json');
const previous = process.env.BENCH_COMPARE ? withoutPrevious(resultsFromJson(readFileSync(process.env.BENCH_COMPARE, 'utf8'))) : undefined;
if (process.env.BENCH_RENDER) {
  const rendered = resultsFromJson(readFileSync(process.env.BENCH_RENDER, 'utf8'));
  writeFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), renderReport(previous ? { ...rendered, previous } : rendered));
  console.log(`rendered BENCHMARKS.md from ${process.env.BENCH_RENDER}`);
  process.exit(0);
}

const only = new Set((process.env.BENCH_ONLY ?? 'ack,streaming,throughput,memory,tools').split(',').map((part) => part.trim()));
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const say = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

const toolResults: ToolsResult[] = [];
const results: BenchResults = {
  startedAt: new Date(started).toISOString(),
  durationSeconds: 0,
  commit: commit(),
  machine: machineFacts(),
  loadBefore: loadAverage(),
  loadAfter: Number.NaN,
  ack: [],
  streaming: [],
  throughput: [],
  memory: [],
  tools: toolResults,
};
runSystemsFrom(buildDeployedSystems());
say('built the bot and the baseline as deployed (npm run build; node, NODE_ENV=production)');
say(`${results.machine.cpus} CPUs, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, Redis ${results.machine.redis}, load ${results.loadBefore}`);

if (only.has('ack')) {
  for (const run of PLAN.ack) {
    const result = await runAck(run);
    results.ack.push(result);
    say(`ack ${run.system} at ${run.ratePerSecond}/s: events p50 ${result.events.p50.toFixed(1)} p99 ${result.events.p99.toFixed(1)} ms; commands p99 ${result.commands.p99.toFixed(1)} ms; not 200: ${result.failed}`);
  }
}
if (only.has('streaming')) {
  for (const run of PLAN.streaming) {
    const result = await runStreaming(run);
    results.streaming.push(result);
    const f = result.figures;
    say(
      `streaming ${run.system} ×${run.answers} (clock ×${run.timeScale}, ${result.pace}, concurrency ${result.concurrency}): ${f.delivery.complete}/${f.delivery.asked} complete; receipt p99 ${f.receipt.p99} ms; first visible p50 ${f.overheadToFirstVisible.p50} ms; ` +
        `final lag p99 ${f.finalLagP99WithMissing} ms (bound p99 ${f.finalLagBound.p99} ms); ${result.calls.rateLimited} 429s`,
    );
  }
}
if (only.has('throughput')) {
  results.queueFloor = await measureQueueFloor();
  say(`BullMQ alone: ${results.queueFloor.addPerJob.toFixed(1)} commands to add a job, ${results.queueFloor.processPerJob.toFixed(1)} to take and complete it`);
  for (const run of PLAN.throughput) {
    const result = await runThroughput(run);
    results.throughput.push(result);
    say(`throughput ${run.system} ${run.mode} (${result.workers} workers): ${result.answersPerSecond.toFixed(1)} answers/s, ${result.completed}/${result.answers}`);
  }
}
if (only.has('memory')) {
  for (const run of PLAN.memory) {
    const result = await runMemory(run);
    results.memory.push(result);
    say(`memory ${run.system}: ${result.inFlight} in flight, ${(result.perAnswerBytes / 1024).toFixed(0)} KB per answer`);
  }
}

if (only.has('tools')) {
  for (const run of PLAN.tools) {
    const result = await runTools(run);
    toolResults.push(result);
    const f = result.figures;
    say(
      `tools ${run.system} ×${run.answers}, ${run.rounds} round${run.rounds === 1 ? '' : 's'} (MCP ${result.mcpLatencyMs} ms): ${f.delivery.complete}/${f.delivery.asked} complete; ` +
        `first visible step p50 ${f.firstVisibleStep.p50} p99 ${f.firstVisibleStep.p99} ms; overhead per round p50 ${f.overheadPerRound.p50} p99 ${f.overheadPerRound.p99} ms (${f.roundsMeasured} rounds); MCP call p50 ${f.mcpCall.p50} ms`,
    );
  }
}

results.loadAfter = loadAverage();
results.durationSeconds = (Date.now() - started) / 1000;
writeFileSync(RESULTS_FILE, resultsToJson(results));
const report = renderReport(previous ? { ...results, previous } : results);
writeFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), report);
console.log(`\n${report}`);
say(`wrote BENCHMARKS.md (raw results: ${RESULTS_FILE})`);
// Child processes are killed by the exit hook in test/support/children.ts.
process.exit(0);

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    // This file's own output is no change to what it measures.
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** A run compared with holds only its own figures. */
function withoutPrevious(results: BenchResults): BenchResults {
  const { previous: _previous, ...own } = results;
  return own;
}
