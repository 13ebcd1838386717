import { runStreaming } from './scenarios/streaming.js';
import * as world from './harness/world.js';
const orig = world.startWorld;
