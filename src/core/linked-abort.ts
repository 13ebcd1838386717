/**
 * An AbortController that also aborts when `outer` does. `AbortSignal.any([outer, own])` would
 * make a third signal, which Node tracks through weak references until the collector clears
 * them; an answer in flight needs two such pairs (its job's, its model stream's), and each signal
 * holds an event target and its listener maps. A listener on `outer`, removed by `unlink()`, does
 * the same with the one signal.
 */
export interface LinkedAbort {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** Stops following `outer` (the work is over): call it in a `finally`. */
  unlink(): void;
}

export function linkedAbort(outer: AbortSignal | undefined): LinkedAbort {
  const controller = new AbortController();
  if (!outer) return { controller, signal: controller.signal, unlink: () => undefined };
  const follow = (): void => controller.abort(outer.reason);
  if (outer.aborted) follow();
  else outer.addEventListener('abort', follow, { once: true });
  return { controller, signal: controller.signal, unlink: () => outer.removeEventListener('abort', follow) };
}
