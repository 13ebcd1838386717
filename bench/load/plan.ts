/** What the harness hands the sender process, and what it hands back. */
import type { SlackRequest } from '../harness/questions.js';

export interface SendPlan {
  url: string;
  secret: string;
  /** Requests per second, open loop; 0 sends them all at once. */
  ratePerSecond: number;
  requests: SlackRequest[];
}

export interface SendResult {
  id: string;
  kind: SlackRequest['kind'];
  /** ms since the epoch when the request was sent. */
  sentAt: number;
  /** Until the HTTP answer was complete (the acknowledgement). */
  ms: number;
  /** HTTP status; 0 when the connection failed or timed out. */
  status: number;
}
