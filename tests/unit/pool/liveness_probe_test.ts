import assert from "node:assert/strict";
import type { IdleReport } from "../../../src/connection/worker_connection.ts";
import {
  type LivenessProbeOptions,
  startLivenessProbe,
} from "../../../src/pool/liveness_probe.ts";

/** A worker's answers, scripted: a report, or a failure. */
type Answer = IdleReport | Error;

/**
 * Starts a probe against scripted answers; resolves with what it did once
 * the script has run out (further probes then never answer) or it reported
 * the worker unresponsive.
 */
async function run(
  answers: Answer[],
  options: Partial<LivenessProbeOptions> = {},
): Promise<{ events: string[]; timeouts: number[] }> {
  const events: string[] = [];
  const timeouts: number[] = [];
  const { promise: finished, resolve: finish } = Promise.withResolvers<
    void
  >();
  const probe = startLivenessProbe({
    idle: (timeoutMs) => {
      timeouts.push(timeoutMs);
      const answer = answers.shift();
      if (answer === undefined) {
        finish();
        return new Promise(() => {});
      }
      return answer instanceof Error
        ? Promise.reject(answer)
        : Promise.resolve(answer);
    },
    intervalMs: 1,
    unresponsiveMs: 0,
    probed: () => true,
    onReport: ({ rssBytes }) => events.push(`report ${rssBytes}`),
    onUnresponsive: () => {
      events.push("unresponsive");
      finish();
    },
    onRefused: () => {
      events.push("refused");
      finish();
    },
    ...options,
  });
  // The probe's timers are unref'd (they never hold a pool's process up):
  // this one keeps the test's event loop running meanwhile.
  const keepAlive = setInterval(() => {}, 1000);
  await finished;
  clearInterval(keepAlive);
  probe.stop();
  return { events, timeouts };
}

const report = (rssBytes: number): IdleReport => ({ idleSeconds: 1, rssBytes });

Deno.test("startLivenessProbe() hands each answer to onReport, probe after probe", async () => {
  const { events } = await run([report(1), report(2), report(3)]);
  assert.deepEqual(events, ["report 1", "report 2", "report 3"]);
});

Deno.test("startLivenessProbe() with unresponsiveMs reports the first unanswered probe and stops probing", async () => {
  const { events, timeouts } = await run(
    [report(1), new Error("deadline"), report(3)],
    { unresponsiveMs: 40 },
  );
  assert.deepEqual(events, ["report 1", "unresponsive"]);
  assert.deepEqual(timeouts, [40, 40]);
});

Deno.test("startLivenessProbe() without unresponsiveMs tries again after an unanswered probe, with intervalMs to answer", async () => {
  const { events, timeouts } = await run(
    [new Error("deadline"), report(2)],
    { intervalMs: 5 },
  );
  assert.deepEqual(events, ["report 2"]);
  assert.deepEqual(timeouts, [5, 5, 5]);
});

Deno.test("startLivenessProbe() reports a worker that refuses the pool's credentials, not as unresponsive, and stops probing", async () => {
  const refused = Object.assign(
    new Error("16 UNAUTHENTICATED: Unauthenticated"),
    {
      code: 16,
    },
  );
  for (const unresponsiveMs of [0, 40]) {
    const { events } = await run([report(1), refused, report(3)], {
      unresponsiveMs,
    });
    assert.deepEqual(events, ["report 1", "refused"]);
  }
});

Deno.test("startLivenessProbe() stops once probed() is false, and says nothing of a probe that failed after", async () => {
  let probed = true;
  const events: string[] = [];
  const failed = Promise.withResolvers<void>();
  const probe = startLivenessProbe({
    idle: () => {
      probed = false;
      failed.resolve();
      return Promise.reject(new Error("the worker left"));
    },
    intervalMs: 1,
    unresponsiveMs: 40,
    probed: () => probed,
    onReport: () => events.push("report"),
    onUnresponsive: () => events.push("unresponsive"),
    onRefused: () => events.push("refused"),
  });
  const keepAlive = setInterval(() => {}, 1000);
  await failed.promise;
  // A macrotask later, the failed probe has been handled.
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearInterval(keepAlive);
  probe.stop();
  assert.deepEqual(events, []);
});
