import { runMemory } from '/work/main/bench/scenarios/memory.js';
const [system, n] = process.argv.slice(2);
const t0 = Date.now();
const r = await runMemory({ system: system as never, answers: Number(n) });
console.log(JSON.stringify(r));
console.log('took', Date.now() - t0);
process.exit(0);
