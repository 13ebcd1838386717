import { runAck } from './scenarios/ack.js';
const [system, rate, dur] = process.argv.slice(2);
const t0 = Date.now();
const r = await runAck({ system: system as never, ratePerSecond: Number(rate), durationSeconds: Number(dur ?? 3) });
console.log(JSON.stringify(r));
console.log('took', Date.now() - t0);
process.exit(0);
