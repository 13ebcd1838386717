/** What a Stop press publishes to every worker process (answer/stop-requests.ts → queue/stop-signals.ts). */
export interface StopMessage {
  type: 'stop';
  jobId: string;
}

export function stopMessage(jobId: string): string {
  const message: StopMessage = { type: 'stop', jobId };
  return JSON.stringify(message);
}

export function parseStopMessage(raw: string): StopMessage | undefined {
  try {
    const value = JSON.parse(raw) as Partial<StopMessage>;
    return value.type === 'stop' && typeof value.jobId === 'string' ? { type: 'stop', jobId: value.jobId } : undefined;
  } catch {
    return undefined;
  }
}
