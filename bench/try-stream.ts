import { runStreaming } from './scenarios/streaming.js';
const [system, n, k] = process.argv.slice(2);
const t0 = Date.now();
const r = await runStreaming({ system: system as never, answers: Number(n), timeScale: Number(k ?? 1) });
console.log(JSON.stringify(r, null, 1));
console.log('took', Date.now() - t0);
process.exit(0);
