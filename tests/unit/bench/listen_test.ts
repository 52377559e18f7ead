import assert from "node:assert/strict";
import {
  type ListenResults,
  renderListenTable,
} from "../../../bench/_listen.ts";
import { type PairedSide, significantLosses } from "../../../bench/_paired.ts";

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
  } satisfies PairedSide;
}

function results(lost: { sequential: number; c64: number }): ListenResults {
  return {
    unix: side(0.2, 30_000, 50),
    tcp: side(0.25, 25_000, 60),
    sequentialSpeedup: 1.1,
    c64Speedup: 0.98,
    cpuSaving: 1.2,
    rounds: { sequential: 8, c64: 8 },
    unixLost: lost,
  };
}

Deno.test("significantLosses() is the fewest losses a fair coin reaches less than 5 % of the time", () => {
  assert.equal(significantLosses(8), 7);
  assert.equal(significantLosses(10), 9);
  assert.equal(significantLosses(20), 15);
});

Deno.test("renderListenTable() prints both sides and the ratios, and calls Unix slower only on significant evidence", () => {
  const met = renderListenTable(results({ sequential: 2, c64: 6 }));
  assert.match(met, /sequential p50 +\| +200 µs \| +250 µs \| +1\.10×/);
  assert.match(
    met,
    /c64 throughput .*30\.0k tasks\/s .*25\.0k tasks\/s .*0\.98×/,
  );
  assert.match(met, /c64 CPU per task .*50 µs .*60 µs .*1\.20×/);
  assert.match(
    met,
    /not slower than TCP: met \(Unix did worse in 2 of 8 .* and 6 of 8/,
  );
  assert.match(
    renderListenTable(results({ sequential: 7, c64: 0 })),
    /not slower than TCP: missed/,
  );
  assert.match(
    renderListenTable(results({ sequential: 0, c64: 8 })),
    /not slower than TCP: missed/,
  );
});
