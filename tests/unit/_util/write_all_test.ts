import assert from "node:assert/strict";
import { writeAll } from "../../../src/_util/write_all.ts";

Deno.test("writeAll() writes every byte, in order, to a writer that takes a few per call", async () => {
  const written: number[] = [];
  let calls = 0;
  const writer = {
    write(bytes: Uint8Array): Promise<number> {
      calls++;
      const taken = bytes.subarray(0, 3);
      written.push(...taken);
      return Promise.resolve(taken.length);
    },
  };
  await writeAll(writer, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepStrictEqual(written, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(calls, 3);
});
