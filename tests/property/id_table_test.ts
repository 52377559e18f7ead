import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { IdTable } from "../../src/_util/id_table.ts";

/**
 * Ids as a pool or a Session makes them — mostly increasing from a
 * counter, with some old ones kept long — plus a few far apart, so probe
 * runs wrap around the table and cross each other.
 */
const id = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, 15, 16, 31, 2 ** 31, 2 ** 32 + 1),
  },
  { weight: 1, arbitrary: fc.maxSafeNat() },
);

type Op =
  | { readonly op: "set"; readonly id: number }
  | { readonly op: "delete"; readonly id: number }
  | { readonly op: "get"; readonly id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  id.map((id) => ({ op: "set" as const, id })),
  id.map((id) => ({ op: "delete" as const, id })),
  id.map((id) => ({ op: "get" as const, id })),
);

Deno.test("IdTable behaves as a Map under any sequence of sets, deletes and gets", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new IdTable<string>();
      const model = new Map<number, string>();
      for (const [i, { op, id }] of ops.entries()) {
        if (op === "set") {
          if (model.has(id)) {
            assert.throws(() => table.set(id, `v${i}`), RangeError);
          } else {
            table.set(id, `v${i}`);
            model.set(id, `v${i}`);
          }
        } else if (op === "delete") {
          assert.equal(table.delete(id), model.delete(id));
        } else {
          assert.equal(table.get(id), model.get(id));
        }
        assert.equal(table.size, model.size);
      }
      for (const [id, value] of model) assert.equal(table.get(id), value);
      assert.deepEqual(table.values().sort(), [...model.values()].sort());
    }),
    { numRuns: 300 },
  );
});

Deno.test("IdTable keeps a long-lived id findable while a counter's ids come and go past it", () => {
  const table = new IdTable<number>();
  table.set(7, 7);
  for (let id = 8; id < 5_000; id++) {
    table.set(id, id);
    if (id - 64 > 7) table.delete(id - 64);
    assert.equal(table.get(7), 7);
  }
  assert.equal(table.size, 65);
});
