import assert from "node:assert/strict";
import { PACERS } from "../../../bench/_arrivals.ts";

for (const [kind, pace] of Object.entries(PACERS)) {
  Deno.test(`${kind} arrivals: each once, in order, never before it is due`, async () => {
    const intervalMs = 2;
    const total = 50;
    const seen: { index: number; dueMs: number; atMs: number }[] = [];
    await pace(intervalMs, total, (index, dueMs) => {
      seen.push({ index, dueMs, atMs: performance.now() });
    });
    assert.deepEqual(seen.map((s) => s.index), [...Array(total).keys()]);
    const first = seen[0].dueMs;
    for (const { index, dueMs, atMs } of seen) {
      assert.equal(dueMs, first + index * intervalMs);
      // The ticker's thread reads the clock through its own time origin.
      assert.ok(
        atMs >= dueMs - 0.5,
        `arrival ${index} ${dueMs - atMs} ms early`,
      );
    }
  });

  Deno.test(`${kind} arrivals: an arrival that throws ends the run with its error`, async () => {
    let calls = 0;
    await assert.rejects(
      pace(1, 1000, () => {
        if (++calls === 3) throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(calls, 3);
  });

  Deno.test(`${kind} arrivals: none asked, none made`, async () => {
    await pace(1, 0, () => assert.fail("called"));
  });
}
