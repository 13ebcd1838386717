import { createServer } from 'node:http';
import { sendRequests } from './load/send.js';
import { summarize } from './measure/stats.js';
const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200); res.end(''); }); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;
for (const rate of [200, 1000]) {
  const reqs = Array.from({ length: rate * 3 }, (_, i) => ({ kind: 'event' as const, id: String(i), body: '{"a":1}', contentType: 'application/json' }));
  const res = await sendRequests(`http://127.0.0.1:${port}/`, reqs, rate).done;
  console.log(rate, summarize(res.map((r) => r.ms)));
}
process.exit(0);
