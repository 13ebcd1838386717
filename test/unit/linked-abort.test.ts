import { afterEach, describe, expect, it, vi } from 'vitest';
import { linkedAbort } from '../../src/core/linked-abort.js';
import { StreamWatchdog } from '../../src/model/stream-watchdog.js';

describe('linkedAbort', () => {
  it('aborts with the outer signal, and with the outer reason', () => {
    const outer = new AbortController();
    const linked = linkedAbort(outer.signal);
    expect(linked.signal.aborted).toBe(false);
    outer.abort('stop pressed');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('stop pressed');
  });

  it('starts aborted when the outer signal already is', () => {
    const linked = linkedAbort(AbortSignal.abort('before it started'));
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('before it started');
  });

  it('aborting its own controller leaves the outer signal alone', () => {
    const outer = new AbortController();
    const linked = linkedAbort(outer.signal);
    linked.controller.abort('job vanished');
    expect(linked.signal.reason).toBe('job vanished');
    expect(outer.signal.aborted).toBe(false);
  });

  it('stops following once unlinked', () => {
    const outer = new AbortController();
    const linked = linkedAbort(outer.signal);
    linked.unlink();
    outer.abort();
    expect(linked.signal.aborted).toBe(false);
  });

  it('without an outer signal, is a plain controller', () => {
    const linked = linkedAbort(undefined);
    linked.controller.abort('mine');
    expect(linked.signal.reason).toBe('mine');
    linked.unlink();
  });
});

describe('StreamWatchdog', () => {
  afterEach(() => vi.useRealTimers());

  it('ends a silent stream and says it did', () => {
    vi.useFakeTimers();
    const watchdog = new StreamWatchdog(1000);
    vi.advanceTimersByTime(999);
    watchdog.kick();
    vi.advanceTimersByTime(999);
    expect(watchdog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(watchdog.signal.aborted).toBe(true);
    expect(watchdog.fired).toBe(true);
    watchdog.stop();
  });

  it('a Stop ends the stream without counting as silence, even when the wait runs out afterwards', () => {
    vi.useFakeTimers();
    const stop = new AbortController();
    const watchdog = new StreamWatchdog(1000, stop.signal);
    stop.abort('stop pressed');
    expect(watchdog.signal.aborted).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(watchdog.fired).toBe(false);
    expect(watchdog.signal.reason).toBe('stop pressed');
  });

  it('once stopped, neither the wait nor the outer signal touch it', () => {
    vi.useFakeTimers();
    const stop = new AbortController();
    const watchdog = new StreamWatchdog(1000, stop.signal);
    watchdog.stop();
    vi.advanceTimersByTime(5000);
    stop.abort();
    expect(watchdog.signal.aborted).toBe(false);
    expect(watchdog.fired).toBe(false);
  });
});
