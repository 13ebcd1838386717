/**
 * For each missed target: the run's own breakdown of where the time (or memory) went, and what
 * would change it. The figures come from this run; the reading of them is chosen by which part of
 * the breakdown dominates, so the text stays true when the bot changes. Pure.
 */
import { SYSTEM_LABELS, type SystemName } from '../harness/world.js';
import { ms, num } from './format.js';
import type { BenchResults } from './results.js';
import { bestThroughput, FINAL_LAG_FLOOR_MS, finalLagP99, type TargetCheck } from './targets.js';

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
      return explainFinalLag(results, check.answers ?? 20);
    case 'delivery':
      return explainDelivery(results);
    case 'scaling':
      return explainScaling(results);
    case 'memory':
      return explainMemory(results);
  }
}

function explainAck(results: BenchResults, commandsToo: boolean): string {
  const at = (system: SystemName) => results.ack.find((run) => run.ratePerSecond === 200 && run.system === system && !run.profiled);
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
    "Bolt acknowledges an Events API request itself, before any listener runs, so an event's acknowledgement costs the HTTP parse, the signature check and Bolt's dispatch — but it waits behind whatever else the event loop has queued: the listeners' work for the requests just before it (queueing the job in Redis, logging) and, in the one-process bot, the answering. `/aws` is acknowledged only after its job is queued (a SET NX and BullMQ's add), so it waits for those round trips too" +
      (commandsToo ? ', which is why commands miss by more.' : '.'),
    '',
    split
      ? `The process that only receives requests spends ${num(split.webCpuPerRequestMs, 1)} ms of CPU on each, so at 200 a second it is ${Math.round(split.webCpu * 100)}% busy: at that load, bursts of requests queue behind each other, and the p99 is that queueing, not any one slow step.` +
        (top ? ` Its CPU profile (the table above) puts the time in ${top}: sockets and small writes (the HTTP answer, Redis commands, log lines), no single hot function.` : '')
      : '',
    ...(splitSlower
      ? [
          '',
          `Here the split bot acknowledges more slowly than the one-process bot (p99 ${ms(split!.events.p99)} against ${ms(all!.events.p99)}): its web process shares ${results.machine.cpus} cores with two busy workers, the fakes and Redis, and waits to be scheduled, while the one-process bot has no other process of its own to wait for. With a core of its own, the web process would not wait at all.`,
        ]
      : []),
    '',
    'What would change it: less work per request on the event loop that acknowledges — one Redis round trip to queue a question instead of several (the dedup marker, the thread-order entry and the BullMQ add in one MULTI or script), fewer log lines per request at `info` — and, for `/aws`, acknowledging at once and reporting a queue failure through `respond()` (its response_url is valid for 30 minutes). Beyond that, the `web` role scales out: several web processes behind the load balancer, each on a core not shared with workers.',
  ].join('\n');
}

function bots(results: BenchResults, answers: number) {
  return results.streaming.filter((run) => run.answers === answers && run.system !== 'naive');
}

function explainFirstVisible(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    const updates = (run.calls.byMethod['chat.update'] ?? 0) / run.answers;
    return `- ${SYSTEM_LABELS[run.system]}: p50 ${ms(f.overheadToFirstVisible.p50)}, of which ${ms(f.firstVisibleBotSide.p50)} before the bot's write reached Slack; ${num(updates, 1)} \`chat.update\` calls per answer in all, one of them the final, so ${num(Math.max(0, updates - 1) * run.answers, 0)} intermediate updates for ${run.answers} answers.`;
  });
  const run = bots(results, answers)[0];
  const botSide = run ? run.figures.firstVisibleBotSide.p50 / Math.max(1, run.figures.overheadToFirstVisible.p50) : 0;
  const fewUpdates = run ? (run.calls.byMethod['chat.update'] ?? 0) / run.answers < 2 : false;
  return [
    lines.join('\n'),
    '',
    botSide > 0.8
      ? `Nearly all of it is the bot not writing yet.` +
        (fewUpdates
          ? ` Fewer intermediate updates went out than there were answers, so most answers showed their first text only with their final update: the update budget (answer/slack-budget.ts) kept the workspace's calls for final updates and refused the first texts, although Slack's window (50 calls) had room for ${answers} first texts and ${answers} finals.`
          : ' The first text waited for the update budget or for an update already in flight.')
      : 'Most of it is Slack applying the write, not the bot.',
    '',
    "What would change it: give an answer's first text priority over later intermediate updates (an answer that shows nothing gains more from a call than one that already shows text) and count the budget the way Slack does (see the final-lag note), so that the room a window has is used.",
  ].join('\n');
}

function explainFinalLag(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    return `- ${SYSTEM_LABELS[run.system]}${run.timeScale !== 1 ? ` (clock ×${run.timeScale})` : ''}: p99 ${ms(finalLagP99(run))} against a bound of ${ms(f.finalLagBound.p99)} (the bar: ${ms(Math.max(f.finalLagBound.p99, FINAL_LAG_FLOOR_MS))}); last token → first write p99 ${ms(f.finalLagBotWait.p99)}, first write → complete p99 ${ms(f.finalLagRateLimited.p99)} with ${num(f.rateLimitedAfterLastToken.mean, 2)} 429s per answer after its last token; ${num((run.calls.byMethod['chat.update'] ?? 0) / run.answers, 1)} \`chat.update\` calls per answer, at most ${run.busiestUpdateWindow} of the ${run.updateLimit.count} a window allows; ${run.figures.delivery.complete}/${run.figures.delivery.asked} complete.`;
  });
  const run = bots(results, answers)[0];
  const botWait = run?.figures.finalLagBotWait.p99 ?? 0;
  const limited = run?.figures.finalLagRateLimited.p99 ?? 0;
  const underused = run !== undefined && run.busiestUpdateWindow < run.updateLimit.count * 0.8;
  const reading =
    botWait >= limited
      ? "The time is the bot's own: the final update waited in its update budget (answer/slack-budget.ts) before it was even sent, while Slack's window would have taken it sooner (the bound)." +
        (underused ? ` The bot never used more than ${run!.busiestUpdateWindow} of the ${run!.updateLimit.count} calls a window allows.` : '') +
        ' The budget is a token bucket: to stay under Slack\'s count in any minute, it can only hold part of a minute\'s calls and refill the rest, so after a burst it sends fewer than Slack would accept. Slack counts calls over a sliding minute: after a quiet spell it accepts a whole minute\'s worth at once, and then one for every call that leaves the window. Answers that end together queue behind the bucket\'s refill, not behind Slack.'
      : 'The time is lost to 429s: the bot sent more `chat.update` calls than the window had room for (intermediate updates, or a burst larger than the window), and every 429 costs a whole Retry-After (whole seconds, at least one) for every worker, as the budget then blocks the workspace until it.' +
        (run && run.timeScale !== 1
          ? ` Part of this is the compressed clock (×${run.timeScale}, see the set-up): the bot sizes its burst from SLACK_UPDATES_PER_MINUTE, so here it bursts ${run.timeScale} times more of a window than at Slack's speed, and each Retry-After second is ${run.timeScale} times more of a window. The 100-answer run on Slack's own clock shows the bot's behaviour without that distortion.`
          : '');
  return [
    lines.join('\n'),
    '',
    reading,
    '',
    "What would change it: account for `chat.update` the way Slack does — a sliding window of the last minute's send times per workspace (a Redis sorted set, trimmed and counted in the same Lua script) — and reserve the window's room for finals first: a final goes as soon as the window has room, an intermediate only while the window keeps one free slot for every answer still streaming. That sends a window's worth of finals at once after a quiet spell and never more than the limit, which is exactly the schedule the bound assumes.",
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
      return `- ${run.answers} answers${run.timeScale !== 1 ? ` (clock ×${run.timeScale})` : ''}, ${SYSTEM_LABELS[run.system]}: ${d.lost} lost, ${d.duplicated} duplicated, ${d.incomplete} incomplete when the scenario stopped waiting (${ms(run.durationMs)} after the questions were sent).`;
    })
    .concat([
      '',
      "An incomplete answer was still waiting (for its update budget, or a 429's Retry-After) when the scenario stopped waiting, which it does 1.2 times the bound plus 10 s after the last model stream ended (at least 20 s): it is late, past what the target allows, but not lost. A lost or duplicated answer would be a bug. The final-lag notes say where such answers waited.",
    ])
    .join('\n');
}

function explainScaling(results: BenchResults): string {
  const one = bestThroughput(results, 1);
  const two = bestThroughput(results, 2);
  if (!one || !two) return 'Not measured.';
  const total = (run: typeof one) => run.cpu.answering.reduce((sum, share) => sum + share, 0) + (run.cpu.web ?? 0) + (Number.isFinite(run.cpu.redis) ? run.cpu.redis : 0) + run.cpu.harness;
  const describe = (run: typeof one) =>
    `${num(run.answersPerSecond, 1)} answers/s; CPU: worker${run.workers > 1 ? 's' : ''} ${run.cpu.answering.map((share) => `${Math.round(share * 100)}%`).join(' + ')}, Redis ${Math.round(run.cpu.redis * 100)}%, fakes and harness ${Math.round(run.cpu.harness * 100)}%, in all ${Math.round(total(run) * 100)}% of the ${results.machine.cpus * 100}% this machine has; ${num((run.cpu.answering.reduce((sum, share) => sum + share, 0) / run.answersPerSecond) * 1000, 1)} ms of worker CPU, ${num(run.slackCallsPerAnswer, 1)} Slack calls and ${num(run.redisCommandsPerAnswer, 0)} Redis commands per answer`;
  const profile = results.throughput.find((run) => run.profile)?.profile;
  const top = profile
    ?.filter((entry) => entry.component !== '(idle)')
    .slice(0, 5)
    .map((entry) => `${entry.component} ${Math.round(entry.share * 100)}%`)
    .join(', ');
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
    'What would change it here: fewer Redis commands and Slack calls per answer (each costs CPU in the worker, in Redis and in the fake), for instance by batching the job bookkeeping (placeholder ts, budget, thread order, usage counters) into fewer commands; the table of Redis commands per answer above says which ones dominate.',
  ].join('\n');
}

function explainMemory(results: BenchResults): string {
  const bot = results.memory.find((run) => run.system !== 'naive');
  const naive = results.memory.find((run) => run.system === 'naive');
  return results.memory
    .map((run) => `- ${SYSTEM_LABELS[run.system]}: ${num(run.perAnswerBytes / 1024, 0)} KB per answer (${run.inFlight} streams open; RSS ${run.processes.map((p) => `${num(p.before / 2 ** 20, 0)} → ${num(p.during / 2 ** 20, 0)} MiB`).join(', ')}).`)
    .concat([
      '',
      'RSS counts everything a process holds, including garbage the collector has not reclaimed yet: with a thousand streams allocating at once (every text delta, every HTTP call and Redis reply), the V8 heap grows well ahead of what is live. Each answer in flight keeps an HTTP stream to the model with its parser, a BullMQ job with its lock renewal, its text so far, a timer, and the promises of its await chain.' +
        (bot && naive && naive.perAnswerBytes > bot.perAnswerBytes
          ? ' The naive baseline grows more although it keeps less per answer (no job, no queue): its timer sends one `chat.update` per answer every second, a thousand calls a second here, and their garbage is the likely difference.'
          : ''),
      '',
      "What would change it: allocate less per delta and per update, and size WORKER_CONCURRENCY to the answers that can usefully stream at once: with one workspace's Slack limits, a thousand answers in flight mostly wait for their final update, holding their memory meanwhile. A smaller old-space limit (node --max-old-space-size) trades CPU for RSS.",
    ])
    .join('\n');
}
