import assert from "node:assert/strict";
import { StatsBook } from "../../../src/pool/stats.ts";

Deno.test("StatsBook counts acceptances and rejections by cause, per worker in join order", () => {
  const book = new StatsBook();
  book.track("w2", "127.0.0.1:5002");
  book.track("w1", "127.0.0.1:5001");
  book.accepted("w1");
  book.accepted("w1");
  book.rejected("w2", "hook");
  book.rejected("w2", "hook-timeout");
  book.rejected("w1", "stopping");
  book.waited();
  book.exhausted();
  book.exhausted();
  assert.deepStrictEqual(book.snapshot(), {
    workers: [
      {
        id: "w2",
        address: "127.0.0.1:5002",
        accepted: 0,
        rejected: { hook: 1, "hook-error": 0, "hook-timeout": 1, stopping: 0 },
      },
      {
        id: "w1",
        address: "127.0.0.1:5001",
        accepted: 2,
        rejected: { hook: 0, "hook-error": 0, "hook-timeout": 0, stopping: 1 },
      },
    ],
    waited: 1,
    exhausted: 2,
  });
});

Deno.test("StatsBook keeps a worker's counts when it is tracked again", () => {
  const book = new StatsBook();
  book.track("w1", "127.0.0.1:5001");
  book.accepted("w1");
  book.track("w1", "127.0.0.1:9999");
  assert.deepStrictEqual(
    book.snapshot().workers.map((w) => [w.address, w.accepted]),
    [["127.0.0.1:5001", 1]],
  );
});

Deno.test("StatsBook ignores counts for a worker it does not track", () => {
  const book = new StatsBook();
  book.accepted("ghost");
  book.rejected("ghost", "hook");
  assert.deepStrictEqual(book.snapshot().workers, []);
});

Deno.test("StatsBook.snapshot() is a frozen copy that later counts do not change", () => {
  const book = new StatsBook();
  book.track("w1", "a");
  const before = book.snapshot();
  book.accepted("w1");
  book.rejected("w1", "hook-error");
  assert.equal(before.workers[0].accepted, 0);
  assert.equal(before.workers[0].rejected["hook-error"], 0);
  assert.ok(Object.isFrozen(before));
  assert.ok(Object.isFrozen(before.workers));
  assert.ok(Object.isFrozen(before.workers[0]));
  assert.ok(Object.isFrozen(before.workers[0].rejected));
});
