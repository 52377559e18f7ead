import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { Docket, type DocketEntry } from "../../src/worker/docket.ts";

type Op =
  | { readonly op: "add"; readonly entry: number }
  | { readonly op: "remove"; readonly entry: number }
  | { readonly op: "cancelAll" };

const entry = fc.nat({ max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: entry.map((entry) => ({ op: "add" as const, entry })),
  },
  {
    weight: 4,
    arbitrary: entry.map((entry) => ({ op: "remove" as const, entry })),
  },
  { weight: 1, arbitrary: fc.constant({ op: "cancelAll" as const }) },
);

Deno.test("Docket holds exactly what a Set would under any sequence of adds, removes and cancelAlls", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const docket = new Docket();
      const model = new Set<number>();
      const cancelled: number[] = [];
      const entries: DocketEntry[] = Array.from({ length: 21 }, (_, i) => ({
        cancel: () => cancelled.push(i),
        docketSlot: -1,
      }));
      for (const step of ops) {
        if (step.op === "add") {
          docket.add(entries[step.entry]);
          model.add(step.entry);
        } else if (step.op === "remove") {
          docket.remove(entries[step.entry]);
          model.delete(step.entry);
        } else {
          cancelled.length = 0;
          docket.cancelAll("stop");
          assert.deepEqual(
            [...cancelled].sort((a, b) => a - b),
            [...model].sort((a, b) => a - b),
          );
        }
        assert.equal(docket.size, model.size);
      }
      cancelled.length = 0;
      docket.cancelAll("end");
      assert.deepEqual(
        [...cancelled].sort((a, b) => a - b),
        [...model].sort((a, b) => a - b),
      );
    }),
  );
});
