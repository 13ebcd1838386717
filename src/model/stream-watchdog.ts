import { linkedAbort, type LinkedAbort } from '../core/linked-abort.js';

/**
 * The SDK's timeout only covers a request until its response starts. A stream that stalls after
 * that (a dropped connection that never closes, a proxy holding it open) would wait for ever, and
 * the person with it. The watchdog aborts a stream that has sent nothing for `idleMs` and
 * remembers that it did, so that the stall is reported as a timeout, which is retried, and not
 * as a person pressing Stop.
 */
export class StreamWatchdog {
  private readonly abort: LinkedAbort;
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  /** Aborted by the caller's signal (Stop) or by the watchdog. */
  readonly signal: AbortSignal;

  constructor(
    readonly idleMs: number,
    outer?: AbortSignal,
  ) {
    this.abort = linkedAbort(outer);
    this.signal = this.abort.signal;
    this.kick();
  }

  /** Something arrived: the wait starts again. */
  kick(): void {
    // Restarting the one timer, rather than a new one per piece of the stream.
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.expire(), this.idleMs);
  }

  /** Whether the watchdog ended the stream. */
  get fired(): boolean {
    return this.timedOut;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.abort.unlink();
  }

  private expire(): void {
    if (this.signal.aborted) return;
    this.timedOut = true;
    this.abort.controller.abort(new Error(`no data from the model for ${this.idleMs} ms`));
  }
}
