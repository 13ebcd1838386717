/**
 * Slack's side of Socket Mode: WebSocket URLs handed out by apps.connections.open, the `hello`
 * greeting, envelopes pushed to the app and the acks it sends back, `disconnect` requests and
 * server pings. @slack/socket-mode 3.x connects with undici's WebSocket and answers pings; it
 * also sends its own pings every clientPingTimeout/3 ms and drops the connection if no pong comes,
 * which the `ws` server answers automatically.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { isRecord, waitFor } from './util.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface EnvelopeOptions {
  /** Default: false for events, true for commands and interactivity, as Slack sends them. */
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the app's ack (Slack waits about 3 s before redelivering). */
  timeoutMs?: number;
  envelopeId?: string;
}

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  at: number;
}

export interface SentEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: object;
  at: number;
}

interface PendingAck {
  resolve: (ack: SocketAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  /** Open connections, oldest first; envelopes go to the newest, as a fresh connection replaces an old one. */
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, PendingAck>();
  readonly acks: SocketAck[] = [];
  readonly envelopes: SentEnvelope[] = [];
  connectionsOpened = 0;

  constructor(
    server: Server,
    private readonly origin: () => string,
    private readonly appId: string,
    private readonly pingIntervalMs: number,
    private readonly defaultTimeoutMs: number,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  get openConnections(): number {
    return this.sockets.length;
  }

  /** A single-use URL, as apps.connections.open returns (Slack's carry a ticket that expires on use). */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.origin().replace(/^http/, 'ws')}/socket?ticket=${ticket}&app_id=${this.appId}`;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/socket' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.push(ws);
    this.connectionsOpened += 1;
    const pinger = setInterval(() => ws.ping(), this.pingIntervalMs);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
    });
    ws.on('close', () => {
      clearInterval(pinger);
      const index = this.sockets.indexOf(ws);
      if (index !== -1) this.sockets.splice(index, 1);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.length,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(message) || typeof message.envelope_id !== 'string') return;
    const ack: SocketAck = {
      envelope_id: message.envelope_id,
      ...(isRecord(message.payload) ? { payload: message.payload } : {}),
      at: Date.now(),
    };
    this.acks.push(ack);
    const pending = this.pending.get(ack.envelope_id);
    if (!pending) return;
    this.pending.delete(ack.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve(ack);
  }

  async sendEnvelope(type: EnvelopeType, payload: object, options: EnvelopeOptions = {}): Promise<SocketAck> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    // After a disconnect the app needs a moment to reconnect; Slack queues the event meanwhile.
    const ws = await waitFor(() => this.sockets.at(-1), timeoutMs, 'an open Socket Mode connection');
    const envelopeId = options.envelopeId ?? randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    const acked = new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer });
    });
    this.envelopes.push({ envelope_id: envelopeId, type, payload, at: Date.now() });
    ws.send(JSON.stringify(envelope));
    return acked;
  }

  /** Asks every connection to go away, as Slack does before a restart or every few hours. */
  async disconnect(reason: string, closeAfter: boolean): Promise<void> {
    const sockets = [...this.sockets];
    const closed = sockets.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of sockets) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      if (closeAfter) ws.close(1000);
    }
    if (closeAfter) await Promise.all(closed);
  }

  /** Cuts every connection without a word, like a network failure. */
  drop(): void {
    for (const ws of this.sockets.splice(0)) ws.terminate();
  }

  close(): void {
    this.drop();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`fake Slack closed before envelope ${id} was acked`));
    }
    this.pending.clear();
    this.wss.close();
  }
}
