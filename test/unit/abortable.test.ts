import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortable, abortError } from '../../src/core/abortable.js';

describe('abortable', () => {
  it('settles with the promise while the signal stays quiet, and leaves no listener behind', async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve('done'), controller.signal)).resolves.toBe('done');
    await expect(abortable(Promise.reject(new Error('broke')), controller.signal)).rejects.toThrow('broke');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the abort reason as soon as the signal aborts, though the work runs on', async () => {
    const controller = new AbortController();
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const waiting = abortable(work, controller.signal);
    const reason = new Error('stopped by the asker');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    finish('late');
    await expect(work).resolves.toBe('late');
  });

  it('rejects at once for a signal already aborted, and names an abort without a reason', async () => {
    const controller = new AbortController();
    controller.abort('no error given');
    await expect(abortable(new Promise(() => undefined), controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(abortError(AbortSignal.abort(new RangeError('limit'))).name).toBe('RangeError');
  });

  it('turns a rejection that is not an Error into one', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(abortable(Promise.reject('plain text'), new AbortController().signal)).rejects.toThrow('plain text');
  });
});
