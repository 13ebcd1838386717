import { runStreaming } from './scenarios/streaming.js';
import { THINKING_PACE } from './harness/model-answers.js';
const answers = Number(process.env.N ?? 20);
const timeScale = Number(process.env.K ?? 1);
const r = await runStreaming({ system: (process.env.SYS ?? 'bot-all') as 'bot-all', answers, timeScale, ...(process.env.THINK ? { pace: THINKING_PACE } : {}) });
const f = r.figures;
console.log(JSON.stringify({ waited: r.waited, delivery: f.delivery, firstVisible: f.overheadToFirstVisible, finalLag: f.finalLag, p99: f.finalLagP99WithMissing, bound: f.finalLagBound.p99, calls: r.calls, busiest: r.busiestUpdateWindow, botWait: f.finalLagBotWait, rl: f.finalLagRateLimited, sentToModel: f.sentToModel, queue: r.queueWait }, null, 1));
process.exit(0);
