import { describe, expect, it } from 'vitest';
import { machineFacts } from '../../bench/measure/proc.js';
import { measureQueueFloor, type QueueFloor } from '../../bench/measure/queue-floor.js';
import { renderReport } from '../../bench/report/markdown.js';
import type { BenchResults } from '../../bench/report/results.js';
import { runAck, type AckResult } from '../../bench/scenarios/ack.js';
import { runStreaming, type StreamingResult } from '../../bench/scenarios/streaming.js';
import { runTools, type ToolsResult } from '../../bench/scenarios/tools.js';

/**
 * `npm run bench` is not part of the test suite (its figures depend on the machine), but
 * its harness must keep working while the bot changes. One tiny scenario of each main kind — the
 * real bot acknowledging a few requests, the naive baseline streaming two answers, the bot looking
 * two answers up in the fake MCP server — and the report built from them: no timing is asserted,
 * only that every figure came out well-formed.
 */
let ack: AckResult;
let streaming: StreamingResult;
let tools: ToolsResult;
let queueFloor: QueueFloor;

const finite = (value: number) => Number.isFinite(value) && value >= 0;

describe('the bench harness', () => {
  it('measures acknowledgement times of the bot for events and commands', async () => {
    ack = await runAck({ system: 'bot-all', ratePerSecond: 20, durationSeconds: 0.5 });
    expect(ack.failed).toBe(0);
    expect(ack.events.n).toBe(8);
    expect(ack.commands.n).toBe(2);
    for (const value of [ack.events.p50, ack.events.p99, ack.commands.max, ack.achievedRate]) expect(finite(value)).toBe(true);
  }, 60_000);

  it("reads the baseline's streamed answers from the fakes: first visible text, final lag, calls", async () => {
    streaming = await runStreaming({
      system: 'naive',
      answers: 2,
      timeScale: 1,
      pace: { ttftMs: 50, tokensPerSecond: 400, chunkSize: 32, answerChars: 600 },
      minGraceMs: 5000,
    });
    const { figures } = streaming;
    expect(streaming.waited).toBe('all-complete');
    expect(figures.delivery).toEqual({ asked: 2, complete: 2, lost: 0, duplicated: 0, incomplete: 0 });
    for (const value of [figures.overheadToFirstVisible.p50, figures.finalLag.max, figures.finalLagBound.p99, figures.endToEnd.p99, figures.sentToModel.p50]) {
      expect(finite(value)).toBe(true);
    }
    expect(streaming.calls.byMethod['chat.postMessage']).toBe(2);
    expect(streaming.calls.byMethod['chat.update']).toBeGreaterThanOrEqual(2);
    expect(streaming.peakStreams).toBe(2);
  }, 60_000);

  it('reads each tool round from the fakes: the step shown in Slack, the MCP call, the next model request', async () => {
    tools = await runTools({
      system: 'bot-all',
      answers: 2,
      rounds: 2,
      mcpLatencyMs: 20,
      pace: { ttftMs: 50, tokensPerSecond: 400, chunkSize: 32, answerChars: 600 },
      graceMs: 5000,
    });
    const { figures } = tools;
    expect(tools.waited).toBe('all-complete');
    expect(figures.delivery).toEqual({ asked: 2, complete: 2, lost: 0, duplicated: 0 });
    expect(figures.roundsMeasured).toBe(4);
    expect(figures.firstVisibleStep.n).toBe(2);
    expect(figures.overheadPerRound.n).toBe(4);
    expect(tools.toolCallLogged.n).toBe(4);
    for (const value of [figures.firstVisibleStep.p99, figures.laterVisibleStep.p50, figures.mcpCall.p50, figures.turnToCall.p50, figures.callToNextRequest.p99, figures.endToEnd.p50]) {
      expect(finite(value)).toBe(true);
    }
    expect(Number.isFinite(figures.overheadPerRound.p99)).toBe(true);
  }, 60_000);

  it("counts BullMQ's own Redis commands per job with the bot's job options", async () => {
    queueFloor = await measureQueueFloor(20);
    // Adding is one script; taking and completing a job is at least its two moves, each several commands.
    expect(queueFloor.addPerJob).toBeGreaterThan(1);
    expect(queueFloor.processPerJob).toBeGreaterThan(queueFloor.addPerJob);
  }, 60_000);

  it('writes a report with every section and no missing figure where one was measured', () => {
    const results: BenchResults = {
      startedAt: new Date().toISOString(),
      durationSeconds: 1,
      commit: 'test',
      machine: machineFacts(),
      loadBefore: 0,
      loadAfter: 0,
      ack: [ack],
      streaming: [streaming],
      throughput: [],
      memory: [],
      tools: [tools],
      queueFloor,
    };
    const report = renderReport(results);
    for (const heading of ['## Machine', '## Reproduce', '## Results against the targets', '## Acknowledgement time', '## Answers streaming at once', '## Tool rounds', '## Where the time goes']) {
      expect(report).toContain(heading);
    }
    expect(report).not.toMatch(/NaN|undefined/);
    expect(report).toContain('2/2');
    expect(report).toContain('BullMQ alone, with the bot’s job options');
  });
});
