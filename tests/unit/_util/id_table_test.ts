import assert from "node:assert/strict";
import { IdTable } from "../../../src/_util/id_table.ts";

Deno.test("IdTable.set() refuses an id that is taken, negative, fractional or unsafe, naming it", () => {
  const table = new IdTable<string>();
  table.set(1, "one");
  assert.throws(() => table.set(1, "again"), {
    name: "RangeError",
    message: "The id 1 is taken",
  });
  for (const id of [-1, 1.5, NaN, 2 ** 53]) {
    assert.throws(() => table.set(id, "x"), {
      name: "RangeError",
      message: `An id must be a non-negative safe integer: ${id}`,
    });
  }
  assert.equal(table.size, 1);
});

Deno.test("IdTable finds nothing under a bigint id (ids beyond 2^53 are never handed out)", () => {
  const table = new IdTable<string>();
  table.set(5, "five");
  assert.equal(table.get(5n), undefined);
  assert.equal(table.delete(2n ** 60n), false);
  assert.equal(table.get(5), "five");
});

Deno.test("IdTable.clear() empties it and it takes ids again", () => {
  const table = new IdTable<string>();
  for (let id = 0; id < 100; id++) table.set(id, `v${id}`);
  table.clear();
  assert.equal(table.size, 0);
  assert.deepEqual(table.values(), []);
  table.set(3, "three");
  assert.equal(table.get(3), "three");
});
