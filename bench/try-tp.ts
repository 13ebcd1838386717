import { runThroughput } from './scenarios/throughput.js';
const [system, mode, workers, n] = process.argv.slice(2);
const t0 = Date.now();
const r = await runThroughput({ system: system as never, mode: mode as never, workers: Number(workers), answers: Number(n) });
console.log(JSON.stringify(r));
console.log('took', Date.now() - t0);
process.exit(0);
