import { describe, expect, it, vi } from 'vitest';
import { UpdatePump, type PushOutcome } from '../../src/publish/update-pump.js';

/** The pump's pacing, with a push whose completion the test decides. */
function pumpWithHeldPushes() {
  const pushed: string[] = [];
  const pending: Array<(outcome: PushOutcome) => void> = [];
  const pump = new UpdatePump<string>(
    { intervalMs: 50, minNewChars: 1 },
    (view) => {
      pushed.push(view);
      return new Promise<PushOutcome>((resolve) => pending.push(resolve));
    },
    (error) => {
      throw error;
    },
  );
  return { pump, pushed, pending };
}

async function until<T>(read: () => T | undefined): Promise<T> {
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the update pump', () => {
  it('does not hold first words back by the pace of a write of steps that was under way when they came', async () => {
    const { pump, pushed, pending } = pumpWithHeldPushes();
    pump.want('step: searching', 12);
    const stepWrite = await until(() => pending[0]);
    pump.want('step: searching · Tag every instance.', 19, true);
    // The scheduler answers the steps' write with a long pace (many answers streaming).
    stepWrite({ result: 'sent', retryInMs: 60_000 });
    await until(() => pushed[1]);
    expect(pushed[1]).toBe('step: searching · Tag every instance.');
    pending[1]!({ result: 'sent' });
    await pump.stop();
  });

  it('keeps the pace after a write that carried the first words', async () => {
    vi.useFakeTimers();
    try {
      const { pump, pushed, pending } = pumpWithHeldPushes();
      pump.want('Tag', 3, true);
      pump.want('Tag every instance.', 16);
      pending[0]!({ result: 'sent', retryInMs: 60_000 });
      await vi.advanceTimersByTimeAsync(59_000);
      expect(pushed).toEqual(['Tag']);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(pushed).toEqual(['Tag', 'Tag every instance.']);
      pending[1]!({ result: 'sent' });
      await pump.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
