import assert from "node:assert/strict";
import { StreamTable } from "../../../src/worker/stream_table.ts";

Deno.test("StreamTable keeps number and bigint ids apart and exact", () => {
  const table = new StreamTable<string>();
  table.set(1, "one");
  table.set(2n ** 60n, "huge");
  table.set(2n ** 60n + 1n, "huge + 1");
  assert.equal(table.size, 3);
  assert.equal(table.get(1), "one");
  assert.equal(table.get(1n), undefined);
  assert.equal(table.get(2n ** 60n + 1n), "huge + 1");
  assert.deepEqual(table.values().sort(), ["huge", "huge + 1", "one"]);
  assert.equal(table.delete(2n ** 60n), true);
  assert.equal(table.delete(2n ** 60n), false);
  assert.equal(table.delete(7), false);
  assert.equal(table.size, 2);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.get(1), undefined);
});
