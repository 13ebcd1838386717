/**
 * Waits for `promise`, but no longer than `signal` lets it: for work that may not heed its signal
 * (a tool, a credential fetch shared by several people, a connection being opened), so that a
 * Stop or a time limit ends the wait even where it cannot end the work, which runs on. The
 * listener on the signal goes once the promise settles: a signal that outlives many waits (an
 * answer's, a tool call's time limit) does not keep one per wait.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Why the signal aborted, as the error the wait rejects with. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}
