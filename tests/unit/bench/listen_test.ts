import assert from "node:assert/strict";
import {
  type ListenResults,
  type ListenSide,
  renderListenTable,
} from "../../../bench/_listen.ts";

function side(p50Ms: number, perSecond: number, cpuUsPerTask: number) {
  const latency = {
    count: 1,
    minMs: p50Ms,
    meanMs: p50Ms,
    p50Ms,
    p90Ms: p50Ms,
    p99Ms: p50Ms,
    maxMs: p50Ms,
  };
  return {
    sequential: {
      concurrency: 1,
      completed: 1,
      elapsedMs: 1,
      perSecond: 1,
      latency,
      roundsP50Ms: [p50Ms],
    },
    c64: {
      concurrency: 64,
      completed: 1,
      elapsedMs: 1,
      perSecond,
      latency,
      roundsPerSecond: [perSecond],
      cpuUsPerTask,
    },
  } satisfies ListenSide;
}

function results(sequentialSpeedup: number, c64Speedup: number): ListenResults {
  return {
    unix: side(0.2, 30_000, 50),
    tcp: side(0.25, 25_000, 60),
    sequentialSpeedup,
    c64Speedup,
    cpuSaving: 1.2,
    rounds: { sequential: 6, c64: 6 },
  };
}

Deno.test("renderListenTable() prints both sides, the ratios, and met only when Unix is slower in neither", () => {
  const met = renderListenTable(results(1.1, 1.05));
  assert.match(met, /sequential p50 +\| +200 µs \| +250 µs \| +1\.10× faster/);
  assert.match(met, /c64 throughput .*1\.05× the rate/);
  assert.match(met, /c64 CPU per task .*50 µs .*60 µs .*1\.20× less CPU/);
  assert.match(met, /over 6 \+ 6 paired rounds: met$/);
  assert.match(renderListenTable(results(0.98, 1.2)), /: missed$/);
  assert.match(renderListenTable(results(1.2, 0.98)), /: missed$/);
});
