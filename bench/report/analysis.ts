/**
 * For each missed target: the run's own breakdown of where the time (or memory) went, and what
 * would change it. The figures come from this run; the reading of them is chosen by which part of
 * the breakdown dominates, so the text stays true when the bot changes. Pure.
 */
import { SYSTEM_LABELS, type SystemName } from '../harness/world.js';
import { ms, num } from './format.js';
import type { BenchResults } from './results.js';
import { FINAL_LAG_FLOOR_MS, finalLagP99, type TargetCheck } from './targets.js';

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
    const key = `${check.id}-${check.id === 'ack-commands' ? 'ack-events' : check.answers ?? ''}`;
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
  const at = (system: SystemName) => results.ack.find((run) => run.ratePerSecond === 200 && run.system === system);
  const rows = (['bot-all', 'bot-split', 'naive'] as const)
    .map((system) => at(system))
    .filter((run) => run !== undefined)
    .map((run) => `${SYSTEM_LABELS[run.system]}: events p50 ${ms(run.events.p50)}, p99 ${ms(run.events.p99)}; commands p99 ${ms(run.commands.p99)}; the receiving process used ${Math.round(run.webCpu * 100)}% of a core`);
  const all = at('bot-all');
  const split = at('bot-split');
  const reading: string[] = [];
  if (all && split && split.events.p99 < all.events.p99 / 2) {
    reading.push('With the answering in another process the same requests are acknowledged much faster: in the one-process bot, acknowledgements wait behind the answering work on the same event loop.');
  }
  const starved = [all, split].filter((run) => run !== undefined && run.webCpu < 0.6 && run.events.p99 > 50);
  if (starved.length > 0) {
    reading.push(
      `The receiving process was not busy (${starved.map((run) => `${Math.round(run!.webCpu * 100)}%`).join(', ')} of a core) while acknowledgements took that long, so the time went to waiting for a core shared with the fakes, Redis, the load generator and the answering processes, not to the bot's own work.`,
    );
  }
  return [
    rows.map((row) => `- ${row}`).join('\n'),
    '',
    'Bolt acknowledges an Events API request itself, before any listener runs, so an event\'s acknowledgement is the HTTP parse, the signature check and Bolt\'s dispatch, plus whatever else the event loop is doing at that moment. `/aws` is acknowledged after its job is queued (a SET NX and BullMQ\'s add: a few Redis round trips)' +
      (commandsToo ? ', which is why commands miss too.' : '.'),
    ...(reading.length > 0 ? ['', reading.join(' ')] : []),
    '',
    'What would change it: keep the `web` role in a process of its own where acknowledgement time matters (answering is what occupies the event loop), and give it a core that is not shared with the workers.',
  ].join('\n');
}

function bots(results: BenchResults, answers: number) {
  return results.streaming.filter((run) => run.answers === answers && run.system !== 'naive');
}

function explainFirstVisible(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    const updates = (run.calls.byMethod['chat.update'] ?? 0) / run.answers;
    return `- ${SYSTEM_LABELS[run.system]}: p50 ${ms(f.overheadToFirstVisible.p50)}, of which ${ms(f.firstVisibleBotSide.p50)} before the bot's write reached Slack; ${num(updates, 1)} \`chat.update\` calls per answer in all (one of them the final).`;
  });
  const run = bots(results, answers)[0];
  const botSide = run ? run.figures.firstVisibleBotSide.p50 / Math.max(1, run.figures.overheadToFirstVisible.p50) : 0;
  return [
    lines.join('\n'),
    '',
    botSide > 0.8
      ? `Nearly all of it is the bot not yet writing. The first model text goes out as an intermediate \`chat.update\`, and with ${answers} answers sharing one workspace's Tier 3 limit the update budget (answer/slack-budget.ts) skips intermediate updates to keep a token for every answer's final update; an answer whose first updates are skipped shows nothing until a token frees up, or until its final update.`
      : 'Most of it is Slack applying the write, not the bot.',
    '',
    `What would change it: spend the workspace's calls on first texts before later intermediate updates (an answer that shows nothing yet gains more from a call than one that already shows text), and count the budget the way Slack does (see the final-lag note): with ${answers} answers Slack's window had room for every first text.`,
  ].join('\n');
}

function explainFinalLag(results: BenchResults, answers: number): string {
  const lines = bots(results, answers).map((run) => {
    const f = run.figures;
    return `- ${SYSTEM_LABELS[run.system]}${run.timeScale !== 1 ? ` (clock ×${run.timeScale})` : ''}: p99 ${ms(finalLagP99(run))} against a bound of ${ms(f.finalLagBound.p99)} (the bar: ${ms(Math.max(f.finalLagBound.p99, FINAL_LAG_FLOOR_MS))}); last token → first write p99 ${ms(f.finalLagBotWait.p99)}, first write → complete p99 ${ms(f.finalLagRateLimited.p99)} with ${num(f.rateLimitedAfterLastToken.mean, 2)} 429s per answer after its last token; ${num((run.calls.byMethod['chat.update'] ?? 0) / run.answers, 1)} \`chat.update\` calls per answer; ${run.figures.delivery.complete}/${run.figures.delivery.asked} complete.`;
  });
  const run = bots(results, answers)[0];
  const botWait = run?.figures.finalLagBotWait.p99 ?? 0;
  const limited = run?.figures.finalLagRateLimited.p99 ?? 0;
  const reading =
    botWait >= limited
      ? "The time is the bot's own: the final update waited in its update budget (answer/slack-budget.ts) before it was even sent, while Slack's window would have taken it sooner (the bound). The budget is a token bucket that, to stay under Slack's per-minute count, holds only part of a minute's calls and refills the rest slowly; Slack counts calls over a sliding minute, so after a quiet spell it accepts a whole minute's worth at once. Answers that end together therefore queue behind the bucket's refill rate, not behind Slack."
      : 'The time is lost to 429s: the bot sent more `chat.update` calls than the window had room for (intermediate updates, or a burst larger than the window), and every 429 costs a whole Retry-After (whole seconds, at least one) for every worker, as the budget then blocks the workspace until it.';
  return [
    lines.join('\n'),
    '',
    reading,
    '',
    "What would change it: account for `chat.update` the way Slack does — a sliding window of the last minute's send times per workspace (a Redis sorted set, trimmed and counted in the same Lua script) — and reserve the window's room for finals first: a final goes as soon as the window has room, an intermediate only while the window keeps one free slot for every answer still streaming. That sends a window's worth of finals at once after a quiet spell and never more than the limit, which is exactly the schedule the bound assumes.",
  ].join('\n');
}

function explainDelivery(results: BenchResults): string {
  const faulty = results.streaming.filter((run) => run.system !== 'naive' && run.figures.delivery.complete < run.figures.delivery.asked + 0 && (run.figures.delivery.lost + run.figures.delivery.duplicated + run.figures.delivery.incomplete) > 0);
  return faulty
    .map((run) => {
      const d = run.figures.delivery;
      return `- ${run.answers} answers, ${SYSTEM_LABELS[run.system]}: ${d.lost} lost, ${d.duplicated} duplicated, ${d.incomplete} incomplete when the scenario ended (${run.waited}, ${ms(run.durationMs)} after the questions were sent).`;
    })
    .concat(['', 'An answer counted incomplete here was still waiting (budget or 429s) when the scenario stopped waiting: that is the scenario\'s grace (one and a half times the bound plus 10 s, at least 20 s), not a loss the bot would make given more time. Lost or duplicated answers would be.'])
    .join('\n');
}

function explainScaling(results: BenchResults): string {
  const one = results.throughput.find((run) => run.mode === 'prefilled' && run.workers === 1);
  const two = results.throughput.find((run) => run.mode === 'prefilled' && run.workers === 2);
  if (!one || !two) return 'Not measured.';
  const total = (run: typeof one) => run.cpu.answering.reduce((sum, share) => sum + share, 0) + (run.cpu.web ?? 0) + (Number.isFinite(run.cpu.redis) ? run.cpu.redis : 0) + run.cpu.harness;
  const describe = (run: typeof one) =>
    `${num(run.answersPerSecond, 1)} answers/s; CPU: worker${run.workers > 1 ? 's' : ''} ${run.cpu.answering.map((share) => `${Math.round(share * 100)}%`).join(' + ')}, Redis ${Math.round(run.cpu.redis * 100)}%, fakes and harness ${Math.round(run.cpu.harness * 100)}%, in all ${Math.round(total(run) * 100)}% of the ${results.machine.cpus * 100}% this machine has`;
  const saturated = total(two) > results.machine.cpus * 0.85;
  return [
    `- one worker: ${describe(one)}.`,
    `- two workers: ${describe(two)}.`,
    '',
    saturated
      ? `With two workers the machine's ${results.machine.cpus} cores are full: the fakes (which play Slack and Anthropic for every answer) and Redis run on the same cores, so a second worker can only take CPU from them. The bot does not share anything between workers but Redis, so on machines where the workers have cores of their own (the fakes and Redis elsewhere, as in production) the figure is the one to measure there; here it measures the machine.`
      : 'The cores were not full, so the second worker was held back by something shared: Redis (one thread) or the fakes answering every call in one process. Their CPU shares above say which.',
    '',
    'What would change it here: fewer Redis round trips and Slack calls per answer (each costs CPU in the worker, in Redis and in the fake), for instance not reading the thread of a question that starts a new thread (the event already carries its only message).',
  ].join('\n');
}

function explainMemory(results: BenchResults): string {
  return results.memory
    .map((run) => `- ${SYSTEM_LABELS[run.system]}: ${num(run.perAnswerBytes / 1024, 0)} KB per answer (${run.inFlight} streams open; RSS ${run.processes.map((p) => `${num(p.before / 2 ** 20, 0)} → ${num(p.during / 2 ** 20, 0)} MiB`).join(', ')}).`)
    .concat([
      '',
      'RSS counts everything a process holds, garbage not yet collected included: each answer in flight holds an HTTP stream to the model, a BullMQ job with its lock renewal, its text so far and the Slack-formatted copies made for each update, and the V8 heap grows ahead of collection when a thousand streams allocate at once. The naive baseline holds the stream and the text only.',
      '',
      'What would change it: fewer copies per update (format only what is about to be sent), and a worker concurrency sized to the answers that can actually stream at once under Slack\'s limits — with one workspace\'s `chat.update` limit, a thousand answers in flight mostly wait.',
    ])
    .join('\n');
}
