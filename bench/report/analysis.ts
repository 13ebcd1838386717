/**
 * For each missed target: the run's own breakdown of where the time (or memory) went, and what
 * would change it. The figures come from this run; the reading of them is chosen by which part of
 * the breakdown dominates, so the text stays true when the bot changes. Pure.
 */
import { SYSTEM_LABELS, type SystemName } from '../harness/world.js';
import { ms, num } from './format.js';
import type { BenchResults } from './results.js';
import { bestAck, bestThroughput, FINAL_LAG_FLOOR_MS, finalLagP99, type TargetCheck } from './targets.js';

/** Findings that are not a target but cost time at scale, when this run shows them. */
export function otherFindings(results: BenchResults): string {
  const findings: string[] = [];
  const reads = results.streaming.filter((run) => run.system !== 'naive' && (run.calls.rateLimitedByMethod['conversations.replies'] ?? 0) / run.answers >= 0.2);
  if (reads.length > 0) {
    const lines = reads.map((run) => {
      const naive = results.streaming.find((other) => other.answers === run.answers && other.system === 'naive');
      return `- ${run.answers} answers${run.timeScale !== 1 ? ` (clock ×${run.timeScale})` : ''}, ${SYSTEM_LABELS[run.system]}: ${num((run.calls.byMethod['conversations.replies'] ?? 0) / run.answers, 1)} \`conversations.replies\` calls per answer, ${num((run.calls.rateLimitedByMethod['conversations.replies'] ?? 0) / run.answers, 1)} of them 429s; request → model called p50 ${ms(run.figures.sentToModel.p50)}, p99 ${ms(run.figures.sentToModel.p99)}${naive ? ` (naive baseline, which reads nothing: ${ms(naive.figures.sentToModel.p50)}, ${ms(naive.figures.sentToModel.p99)})` : ''}.`;
    });
    findings.push(
      "**Thread reads held questions back before the model was called.** `conversations.replies` is Tier 3 (about 50 a minute per workspace; far less for commercially distributed apps outside the Marketplace). Reads do not go through the shared budget: when Slack answers 429, every waiting job sleeps until the same Retry-After and retries at once, and most get 429 again.",
      '',
      ...lines,
      '',
      'What would change it: read only threads that hold earlier messages (a question that starts its thread is the whole conversation, and the job carries it), and send thread reads through the shared budget so that waiting jobs queue instead of retrying together.',
    );
  }
  return findings.length > 0 ? findings.join('\n') : 'None in this run.';
}

export function explainMisses(results: BenchResults, checks: TargetCheck[]): string {
  const missed = checks.filter((check) => check.met === false);
  const notes: string[] = [];
  if (busy(results)) {
    notes.push(
      `_The machine was busy while this ran (1-minute load average ${num(results.loadBefore, 1)} before and ${num(results.loadAfter, 1)} after, on ${results.machine.cpus} cores): every process here waited for CPU as well as for what is analysed below. Re-run on an idle machine before reading absolute times._`,
      '',
    );
  }
  if (missed.length === 0) return [...notes, 'Every target was met in this run.'].join('\n');
  const seen = new Set<string>();
  for (const check of missed) {
    const key = `${check.id}-${check.answers ?? ''}`;
    if (check.id === 'ack-commands' && missed.some((other) => other.id === 'ack-events')) continue;
    // One cost, two figures: told once.
    if (check.id === 'redis-commands' && missed.some((other) => other.id === 'throughput')) continue;
    if (seen.has(key)) continue;
    seen.add(key);
    notes.push(`### ${check.target}`, '', explain(check, results, missed), '');
  }
  return notes.join('\n');
}

function busy(results: BenchResults): boolean {
  return Math.max(results.loadBefore, results.loadAfter) > results.machine.cpus * 0.5;
}

function explain(check: TargetCheck, results: BenchResults, missed: TargetCheck[]): string {
  switch (check.id) {
    case 'ack-events':
    case 'ack-commands':
      return explainAck(results, missed.some((other) => other.id === 'ack-commands'));
    case 'first-visible':
      return explainFirstVisible(results, check.answers ?? 20);
    case 'final-lag-20':
    case 'final-lag-bound':
    case 'rate-limited':
      return explainFinalLag(results, check.answers ?? 20);
    case 'delivery':
      return explainDelivery(results);
    case 'scaling':
      return explainScaling(results);
    case 'throughput':
    case 'redis-commands':
      return explainCost(results);
    case 'memory':
      return explainMemory(results);
    case 'receipt':
      return explainReceipt(results);
  }
}

function explainAck(results: BenchResults, commandsToo: boolean): string {
  const at = (system: SystemName) => bestAck(results, system);
  const rows = (['bot-all', 'bot-split', 'naive'] as const)
    .map((system) => at(system))
    .filter((run) => run !== undefined)
    .map(
      (run) =>
        `${SYSTEM_LABELS[run.system]}: events p50 ${ms(run.events.p50)}, p99 ${ms(run.events.p99)}; commands p99 ${ms(run.commands.p99)}; the receiving process used ${Math.round(run.webCpu * 100)}% of a core, ${num(run.webCpuPerRequestMs, 1)} ms of CPU per request` +
        (run.system === 'naive' ? '' : `, with ${num(run.redisCommandsPerRequest, 1)} Redis commands per request in all`),
    );
  const all = at('bot-all');
  const split = at('bot-split');
  const profile = results.ack.find((run) => run.profile)?.profile;
  const splitSlower = all !== undefined && split !== undefined && split.events.p99 > all.events.p99 * 1.2;
  const top = profile
    ?.filter((entry) => entry.component !== '(idle)')
    .slice(0, 4)
    .map((entry) => `${entry.component} ${Math.round(entry.share * 100)}%`)
    .join(', ');
  return [
    rows.map((row) => `- ${row}`).join('\n'),
    '',
    "Bolt acknowledges an Events API request itself, before any listener runs, and `/aws` acknowledges before it queues its job, so an acknowledgement costs the HTTP parse, the signature check and Bolt's dispatch — but it waits behind whatever else the event loop has queued: the listeners' work for the requests just before it (queueing the job in Redis, logging) and, in the one-process bot, the answering" +
      (commandsToo ? '. A command is acknowledged by its listener, after the global middleware (payload checks, allowlists) has run, which is why commands miss by more.' : '.'),
    '',
    split
      ? `The process that only receives requests spends ${num(split.webCpuPerRequestMs, 1)} ms of CPU on each, so at 200 a second it is ${Math.round(split.webCpu * 100)}% busy: at that load, bursts of requests queue behind each other, and the p99 is that queueing, not any one slow step.` +
        (top ? ` Its CPU profile (the table above) puts the time in ${top}: sockets and small writes (the HTTP answer, Redis commands, log lines), no single hot function.` : '')
      : '',
    ...(splitSlower
      ? [
          '',
          `Here the split bot acknowledges more slowly than the one-process bot (p99 ${ms(split.events.p99)} against ${ms(all.events.p99)}): its web process shares ${results.machine.cpus} cores with two busy workers, the fakes and Redis, and waits to be scheduled, while the one-process bot has no other process of its own to wait for. With a core of its own, the web process would not wait at all.`,
        ]
      : []),
    '',
    'What would change it: less work per request on the event loop that acknowledges — fewer log lines per request at `info` (queueing a question is two Redis round trips already: one script for the id\'s claim, the thread\'s order and the receipt\'s due time, then BullMQ\'s add) — and, for `/aws`, acknowledging at once and reporting a queue failure through `respond()` (its response_url is valid for 30 minutes). Beyond that, the `web` role scales out: several web processes behind the load balancer, each on a core not shared with workers.',
  ].join('\n');
}

function bots(results: BenchResults, answers: number) {
  return results.streaming.filter((run) => run.answers === answers && run.system !== 'naive');
}

const runLabel = (run: BenchResults['streaming'][number]): string =>
  `${SYSTEM_LABELS[run.system]}${run.timeScale !== 1 ? `, clock ×${run.timeScale}` : ''}${run.pace === 'thinking' ? ', the model thinking 3 s first' : ''}${run.concurrency < run.answers ? `, WORKER_CONCURRENCY ${run.concurrency}` : ''}`;

function explainFirstVisible(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    const posts = (run.calls.byMethod['chat.postMessage'] ?? 0) / run.answers;
    const updates = (run.calls.byMethod['chat.update'] ?? 0) / run.answers;
    return `- ${runLabel(run)}: p50 ${ms(f.overheadToFirstVisible.p50)}, of which ${ms(f.firstVisibleBotSide.p50)} before the bot's write reached Slack; ${num(posts, 1)} \`chat.postMessage\` and ${num(updates, 1)} \`chat.update\` calls per answer; receipt p50 ${ms(f.receipt.p50)}.`;
  });
  return [
    lines.join('\n'),
    '',
    "An answer's first words are posted with its message (`chat.postMessage`, limited per channel) when they come within the receipt delay; later ones need a `chat.update`, which the scheduler grants only while the window keeps a slot for the final of every answer in flight (publish/slack-budget.ts). Where first texts waited, it was for that room: the answers in flight owed more finals than the window had left.",
  ].join('\n');
}

function explainFinalLag(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    return `- ${runLabel(run)}: p99 ${ms(finalLagP99(run))} against a bound of ${ms(f.finalLagBound.p99)} (the bar: ${ms(Math.max(f.finalLagBound.p99, FINAL_LAG_FLOOR_MS))}); last token → first write p99 ${ms(f.finalLagBotWait.p99)}, first write → complete p99 ${ms(f.finalLagRateLimited.p99)}, ${num(run.calls.rateLimited / run.answers, 3)} 429s per answer; ${num((run.calls.byMethod['chat.update'] ?? 0) / run.answers, 1)} \`chat.update\` calls per answer, at most ${run.busiestUpdateWindow} of the ${run.updateLimit.count} a window allows; ${run.figures.delivery.complete}/${run.figures.delivery.asked} complete.`;
  });
  const run = bots(results, answers)[0];
  const botWait = run?.figures.finalLagBotWait.p99 ?? 0;
  const limited = run?.figures.finalLagRateLimited.p99 ?? 0;
  return [
    lines.join('\n'),
    '',
    botWait >= limited
      ? "The time is the finals' wait for their slots in Slack's window: each final reserves the earliest slot after those reserved before it, so the p99 is the bound's schedule stretched by the margin the scheduler counts each window with (a second a minute, a quarter of a second at least: on the compressed clock that is 4% of a window) and by how late a busy process sends a final due at its slot."
      : "The time is lost to 429s: a call that reached Slack later than the slot it was counted at made a window fuller than the schedule; each 429 costs a whole Retry-After (whole seconds, a sixth of a window on the compressed clock) before the final gets the next slot that fits.",
  ].join('\n');
}

function explainDelivery(results: BenchResults): string {
  const faulty = results.streaming.filter((run) => {
    const d = run.figures.delivery;
    return run.system !== 'naive' && d.lost + d.duplicated + d.incomplete > 0;
  });
  return faulty
    .map((run) => {
      const d = run.figures.delivery;
      return `- ${run.answers} answers (${runLabel(run)}): ${d.lost} lost, ${d.duplicated} duplicated, ${d.incomplete} incomplete when the scenario stopped waiting (${ms(run.durationMs)} after the questions were sent).`;
    })
    .concat([
      '',
      "An incomplete answer was still waiting (for its slot, or a 429's Retry-After) when the scenario stopped waiting, which it does 1.2 times the bound plus 10 s after the last model stream ended (at least 20 s): it is late, past what the target allows, but not lost. A lost or duplicated answer would be a bug.",
    ])
    .join('\n');
}

function explainReceipt(results: BenchResults): string {
  const lines = results.streaming
    .filter((run) => run.answers === 500 && run.system !== 'naive')
    .map((run) => `- ${runLabel(run)}: receipt p50 ${ms(run.figures.receipt.p50)}, p99 ${ms(run.figures.receipt.p99)}; queue wait p99 ${ms(run.queueWait.p99)}; request → model called p99 ${ms(run.figures.sentToModel.p99)}.`);
  return [
    lines.join('\n'),
    '',
    'A question is acknowledged at once; its sign in the thread comes with its first words, or, after the receipt delay (SLACK_PLACEHOLDER_AFTER_MS), as "Thinking…" from the worker answering it or, while it still waits for a worker slot, as "Got your question: it is in line…" from whichever worker process takes it from the sorted set of due receipts (at most 32 posts at once per process, apart from the answers\' slots). The delay itself is two of the three seconds; the rest is the time the posts take, through the per-channel `chat.postMessage` budget, on a machine that is also running every answer in flight. What would change it: a shorter receipt delay (at the cost of a "Thinking…" that the first words replace a moment later), or more receipt posts at once per process.',
  ].join('\n');
}

/** The five components a worker's CPU profile charges most, as "name share%", when a run was profiled. */
function profileTop(results: BenchResults): string | undefined {
  return results.throughput
    .find((run) => run.profile)
    ?.profile?.filter((entry) => entry.component !== '(idle)')
    .slice(0, 5)
    .map((entry) => `${entry.component} ${Math.round(entry.share * 100)}%`)
    .join(', ');
}

/** The answering processes' CPU, in cores. */
function answeringCpu(run: { cpu: { answering: number[] } }): number {
  return run.cpu.answering.reduce((sum, share) => sum + share, 0);
}

function explainCost(results: BenchResults): string {
  const lines = results.throughput
    .filter((run) => !run.profiled)
    .map(
      (run) =>
        `- ${run.mode === 'prefilled' ? `queue pre-filled, ${run.workers} worker${run.workers === 1 ? '' : 's'}` : `burst, ${SYSTEM_LABELS[run.system]}`}: ${num(run.answersPerSecond, 1)} answers/s, ${num(run.slackCallsPerAnswer, 1)} Slack calls${run.system === 'naive' ? '' : ` and ${num(run.redisCommandsPerAnswer, 0)} Redis commands`} per answer, ${num((answeringCpu(run) / run.answersPerSecond) * 1000, 1)} ms of CPU per answer in the answering process${run.workers > 1 ? 'es' : ''}.`,
    );
  const top = profileTop(results);
  const floor = results.queueFloor;
  return [
    lines.join('\n'),
    '',
    'An answer the model writes at once costs the bot one Slack call (its message posted whole), or two when it waited long enough in the queue to get its "in line" message first (the answer is then its final update). ' +
      (floor
        ? `Counted as Redis counts them (each command inside a Lua script one by one), BullMQ alone, with the bot's job options and a worker that does nothing, runs ${num(floor.addPerJob, 0)} commands to add a job and ${num(floor.processPerJob, 0)} to take and complete it, ${num(floor.addPerJob + floor.processPerJob, 0)} in all: the goal of 40 per answer is below the floor of the queue the bot is built on. `
        : '') +
      "The bot's own Redis work per answer, in round trips: queueing (one script: the id's claim, the thread's order, the receipt's due time), the thread's turn (one to take it, one to leave), the usage limits and the usage record (one script each), the Slack slot of each write, answer reuse (a cache read, a claim, its release and the cache write) and updating the job (a BullMQ script each time)." +
      (top ? ` The worker's profile puts its CPU in ${top}.` : ''),
  ].join('\n');
}

function explainScaling(results: BenchResults): string {
  const one = bestThroughput(results, 1);
  const two = bestThroughput(results, 2);
  if (!one || !two) return 'Not measured.';
  const total = (run: typeof one) => answeringCpu(run) + (run.cpu.web ?? 0) + (Number.isFinite(run.cpu.redis) ? run.cpu.redis : 0) + run.cpu.harness;
  const describe = (run: typeof one) =>
    `${num(run.answersPerSecond, 1)} answers/s; CPU: worker${run.workers > 1 ? 's' : ''} ${run.cpu.answering.map((share) => `${Math.round(share * 100)}%`).join(' + ')}, Redis ${Math.round(run.cpu.redis * 100)}%, fakes and harness ${Math.round(run.cpu.harness * 100)}%, in all ${Math.round(total(run) * 100)}% of the ${results.machine.cpus * 100}% this machine has; ${num((answeringCpu(run) / run.answersPerSecond) * 1000, 1)} ms of worker CPU, ${num(run.slackCallsPerAnswer, 1)} Slack calls and ${num(run.redisCommandsPerAnswer, 0)} Redis commands per answer`;
  const top = profileTop(results);
  const saturated = total(two) > results.machine.cpus * 0.85;
  return [
    `- one worker (the better run): ${describe(one)}.`,
    `- two workers (the better run): ${describe(two)}.`,
    '',
    saturated
      ? `With two workers the machine's ${results.machine.cpus} cores are full: the fakes (which play Slack and Anthropic for every answer) and Redis run on the same cores, so a second worker can only take CPU from them. The bot does not share anything between workers but Redis, so on machines where the workers have cores of their own (the fakes and Redis elsewhere, as in production) the figure is the one to measure there; here it measures the machine.`
      : `The cores were not full, so the second worker was held back by something shared: Redis (one thread), the fakes answering every call in one process${busy(results) ? ', or the other work on this machine (see the load average)' : ''}. The CPU shares above say which.`,
    '',
    ...(top ? [`The worker's profile (above) puts its CPU in ${top}: the clients of Redis and of the two HTTP APIs, i.e. the number of round trips, rather than the bot's own logic.`, ''] : []),
    "What would change it here: fewer Redis commands and Slack calls per answer (each costs CPU in the worker, in Redis and in the fake). The bot's own bookkeeping is one round trip per step already (see above), and the largest part of what Redis runs per answer is BullMQ's own (the table of Redis commands per answer above says which commands dominate).",
  ].join('\n');
}

function explainMemory(results: BenchResults): string {
  return results.memory
    .map((run) => `- ${SYSTEM_LABELS[run.system]}: ${num(run.perAnswerBytes / 1024, 0)} KB per answer (${run.inFlight} streams open; RSS ${run.processes.map((p) => `${num(p.before / 2 ** 20, 0)} → ${num(p.during / 2 ** 20, 0)} MiB`).join(', ')}).`)
    .concat([
      '',
      "RSS counts what a process holds, garbage the collector has not reclaimed yet included. A heap snapshot of a worker with 500 answers streaming (after a collection) holds about 77 KB per answer: about 45 KB of it is the model call (the SDK's message stream and its snapshot of the message, the HTTP request and its response stream, the request's JSON body), then the await chain (about 17 suspended async functions and 6 generators, with their promises), about six abort signals with their listener maps, the job, and the answer's text; the bot's own message and scheduler state is under 1 KB. The rest of the RSS is the collector's headroom over that live heap (read from the worker's own heap figures at the peak: old space in use grows by about 160 KB per answer, twice what is live, while the collector waits for its next full collection), and its young generation, which grows to its maximum while 500 streams allocate and is not memory any one answer holds (smaller ones, tried with --max-semi-space-size, gave no steadier or lower figure: 4 MB promoted more of each answer to the old generation and nearly doubled it).",
    ])
    .join('\n');
}
