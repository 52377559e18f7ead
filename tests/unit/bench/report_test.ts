import assert from "node:assert/strict";
import type {
  ClosedLoopResult,
  SequentialResult,
} from "../../../bench/_load.ts";
import type { OverloadResults, TrivialResults } from "../../../bench/_pool.ts";
import { renderOverloadChart } from "../../../bench/_chart.ts";
import { buildSummary, renderSummaryTable } from "../../../bench/_report.ts";
import { summarize } from "../../../bench/_stats.ts";

function load(
  p50Ms: number,
  perSecond: number,
): ClosedLoopResult & SequentialResult {
  return {
    concurrency: 1,
    completed: 100,
    elapsedMs: 1000,
    perSecond,
    latency: summarize([p50Ms, p50Ms, p50Ms]),
    roundsPerSecond: [perSecond],
    roundsP50Ms: [p50Ms],
  };
}

/** A session transport's trivial-task results, with `fields` over defaults. */
function sessionTrivial(fields: Partial<TrivialResults> = {}): TrivialResults {
  return {
    transport: "session",
    sequential: load(0.17, 5000),
    c64: load(1, 80_000),
    c64Cpu: { selfUs: 11, peersUs: [12, 12] },
    c256: load(3, 100_000),
    generator: {
      calls: 10,
      valuesPerCall: 100,
      total: summarize([10]),
      perValueMs: 0.1,
    },
    ...fields,
  };
}

function run(multiple: number, p99Ms: number, rejected: number) {
  return {
    ratePerSecond: 1000 * multiple,
    offered: 1000,
    accepted: 1000 - rejected,
    rejected,
    latency: summarize([p99Ms]),
    acceptedPerSecond: 1000,
    startLagP99Ms: 0.5,
    elapsedMs: 1000,
    peakWorkerRssBytes: 80 * 2 ** 20,
  };
}

const overload: OverloadResults = {
  taskMs: 5,
  slotsPerWorker: 4,
  capacity: { theoreticalPerSecond: 1600, measured: load(6, 1000) },
  levels: [1, 2, 3].map((multiple) => ({
    multiple,
    withHook: run(multiple, 10 + multiple, multiple === 1 ? 0 : 500),
    withoutHook: run(multiple, 10 * multiple ** 4, 0),
  })),
};

Deno.test("buildSummary() rates rejected against accepted dispatches per call", () => {
  const sequential = load(0.3, 3000);
  const rows = buildSummary({
    rejection: {
      session: {
        transport: "session",
        accepted: { sequential, c64: load(2, 30_000) },
        rejected: { sequential: load(0.25, 4000), c64: load(4, 15_000) },
      },
    },
  });
  const bySequential = rows.find((r) =>
    r.id === "rejection.session.sequential"
  )!;
  assert.ok(Math.abs(bySequential.ratio - 0.25 / 0.3) < 1e-9);
  assert.equal(bySequential.verdict, "met");
  const byLoad = rows.find((r) => r.id === "rejection.session.c64")!;
  assert.equal(byLoad.ratio, 2);
  assert.equal(byLoad.verdict, "missed");
});

Deno.test("buildSummary() judges overload at the highest multiple only", () => {
  const rows = buildSummary({ overload });
  const hook = rows.filter((r) => r.id.startsWith("overload.maxActive"));
  assert.deepEqual(hook.map((r) => r.verdict), ["info", "info", "met"]);
  assert.ok(Math.abs(hook[2].ratio - 13 / 11) < 1e-9);
  const none = rows.filter((r) => r.id.startsWith("overload.noHook"));
  assert.equal(none[2].verdict, "met");
  assert.equal(none[2].ratio, 81);
});

Deno.test("renderSummaryTable() marks met and missed targets", () => {
  const table = renderSummaryTable(buildSummary({ overload }));
  assert.ok(table.includes("≤ 2× own 1× ✓"));
  assert.ok(table.includes("grows ✓"));
  assert.equal(table.split("\n").length, 2 + 1 + 6);
});

Deno.test("renderOverloadChart() plots both pools against the offered load", () => {
  const svg = renderOverloadChart(overload, "test machine");
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.ok(svg.includes("test machine"));
  assert.ok(svg.includes("no hook"));
});

Deno.test("buildSummary() shows caller and worker CPU per task next to the floor's CPU per message", () => {
  const rows = buildSummary({
    trivial: {
      session: sessionTrivial({ c64Cpu: { selfUs: 22, peersUs: [19, 31] } }),
    },
  });
  const cpu = rows.find((r) => r.id === "pool.session.c64.cpu")!;
  assert.equal(cpu.result, "caller 22.0 µs · workers 19.0 µs, 31.0 µs");
  // One worker is over 30 µs per task: the target is missed.
  assert.equal(cpu.verdict, "missed");
});

Deno.test("buildSummary() judges a worker's memory by the heap it keeps after full GC, not by its RSS", () => {
  const startup = (retained: { afterWork: number; afterMoreWork: number }) =>
    buildSummary({
      startup: {
        readyMs: summarize([120, 121, 122]),
        idleRssAfterReadyBytes: 72 * 2 ** 20,
        idleRssAfterWorkBytes: 78 * 2 ** 20,
        idleRssAfterMoreWorkBytes: 90 * 2 ** 20,
        retainedHeapBytes: retained,
      },
    }).find((row) => row.id === "startup.retainedHeap");
  const flat = startup({
    afterWork: 10 * 2 ** 20,
    afterMoreWork: 10.2 * 2 ** 20,
  });
  assert.equal(flat?.verdict, "met");
  assert.match(
    flat?.result ?? "",
    /10\.0 MiB → 10\.2 MiB \(1\.02×; RSS 78\.0 MiB → 90\.0 MiB\)/,
  );
  const leaking = startup({
    afterWork: 10 * 2 ** 20,
    afterMoreWork: 12 * 2 ** 20,
  });
  assert.equal(leaking?.verdict, "missed");
});

Deno.test("buildSummary() puts the least-in-flight rate at concurrency 64 next to round robin's", () => {
  const rows = buildSummary({
    trivial: {
      session: sessionTrivial({
        c64: load(2, 80_000),
        c64LeastInFlight: load(1.5, 100_000),
      }),
    },
  });
  const row = rows.find((r) => r.id === "pool.session.c64.leastInFlight");
  assert.equal(row?.ratio, 1.25);
  assert.match(row?.result ?? "", /100\.0k tasks\/s.*p99\/p50 /);
  assert.match(row?.floor ?? "", /round robin 80\.0k tasks\/s · p99\/p50 /);
});

Deno.test("buildSummary() judges the tail at concurrency 64, p99 against the same run's p50, on the session transport (issue 11: at most 4x)", () => {
  const tailRow = (latencies: number[], transport: "session" | "dispatch") =>
    buildSummary({
      trivial: {
        [transport]: sessionTrivial({
          transport,
          c64: { ...load(1, 80_000), latency: summarize(latencies) },
        }),
      },
    }).find((r) => r.id === `pool.${transport}.c64.tail`);
  // 100 calls: p50 is the 50th (1 ms), p99 the 99th.
  const calls = (p99Ms: number) => [
    ...Array<number>(98).fill(1),
    p99Ms,
    p99Ms,
  ];
  const met = tailRow(calls(4), "session");
  assert.equal(met?.ratio, 4);
  assert.equal(met?.verdict, "met");
  assert.equal(met?.target, "≤ 4× p50");
  const missed = tailRow(calls(4.5), "session");
  assert.equal(missed?.ratio, 4.5);
  assert.equal(missed?.verdict, "missed");
  assert.equal(tailRow(calls(4.5), "dispatch")?.verdict, "info");
});

Deno.test("buildSummary() judges the sequential call against the floor of its own shape: one worker against one server, two workers in turn against two servers in turn", () => {
  const floors = {
    streamPerTask: {
      sequential: load(0.3, 3000),
      c64: load(8, 8000),
      c256: load(30, 9000),
    },
    longLivedStream: {
      sequential: load(0.1, 10_000),
      inFlight64: load(1.5, 44_000),
      inFlight256: load(5, 46_000),
    },
    sessionShaped: {
      sequential: load(0.1, 9000),
      sequentialTwoServers: load(0.12, 8000),
      inFlight64: load(2, 31_000),
      inFlight64Cpu: { selfUs: 32, peersUs: [31] },
    },
  };
  const rows = (oneWorkerP50Ms: number, twoWorkersP50Ms: number) =>
    buildSummary({
      floors,
      trivial: {
        session: sessionTrivial({
          sequential: load(twoWorkersP50Ms, 5000),
          sequentialOneWorker: load(oneWorkerP50Ms, 6000),
        }),
      },
    });
  const met = rows(0.12, 0.15);
  const one = met.find((r) => r.id === "pool.session.sequential.oneWorker");
  const two = met.find((r) => r.id === "pool.session.sequential.vsTwoServers");
  assert.equal(one?.ratio, 1.2);
  assert.equal(one?.verdict, "met");
  assert.equal(two?.ratio, 1.25);
  assert.equal(two?.verdict, "met");
  assert.ok(
    met.some((r) => r.id === "floor.sessionShaped.sequentialTwoServers"),
  );
  const missed = rows(0.14, 0.18);
  for (const id of ["oneWorker", "vsTwoServers"]) {
    assert.equal(
      missed.find((r) => r.id === `pool.session.sequential.${id}`)?.verdict,
      "missed",
    );
  }
});

Deno.test("buildSummary() puts concurrency 64 with workers under SCHED_BATCH next to normal scheduling, with each run's p99/p50", () => {
  const rows = buildSummary({
    trivial: {
      session: sessionTrivial({
        c64: { ...load(1, 80_000), latency: summarize([1, 1, 5]) },
        c64Batch: { ...load(1, 88_000), latency: summarize([1, 1, 4]) },
      }),
    },
  });
  const row = rows.find((r) => r.id === "pool.session.c64.schedBatch");
  assert.equal(row?.ratio, 1.1);
  assert.match(row?.result ?? "", /88\.0k tasks\/s.*p99\/p50 /);
  assert.match(row?.floor ?? "", /^normal: 80\.0k tasks\/s · p99\/p50 /);
});

Deno.test("buildSummary() puts concurrency 64 on one worker next to two, with each run's p99/p50", () => {
  const rows = buildSummary({
    trivial: {
      session: sessionTrivial({
        c64: { ...load(1, 80_000), latency: summarize([1, 1, 5]) },
        c64OneWorker: { ...load(1, 90_000), latency: summarize([1, 1, 3]) },
      }),
    },
  });
  const row = rows.find((r) => r.id === "pool.session.c64.oneWorker");
  assert.equal(row?.ratio, 1.125);
  assert.equal(row?.verdict, "info");
  assert.match(row?.result ?? "", /^90\.0k tasks\/s.*p99\/p50 /);
  assert.match(row?.floor ?? "", /^two workers: 80\.0k tasks\/s · p99\/p50 /);
  assert.equal(
    buildSummary({ trivial: { session: sessionTrivial() } })
      .some((r) => r.id === "pool.session.c64.oneWorker"),
    false,
    "no row without the measurement",
  );
});
