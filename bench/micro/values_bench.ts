/**
 * `deno bench bench/micro/values_bench.ts`: values on the wire, encoded
 * and decoded by `node:v8` as `src/wire/values.ts` does today (a new
 * serializer per value; a copy of the bytes before deserializing) and by
 * the fast path of `src/wire/fast_values.ts`, in the same run: each
 * group's baseline is node:v8, so `deno bench` prints the ratio.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import {
  deserializeValue,
  serializeValue,
} from "../../src/wire/fast_values.ts";

const VALUES: [string, unknown][] = [
  ["3 (a trivial result)", 3],
  ["[1, 2] (a trivial call's arguments)", [1, 2]],
  ["a string of 40 characters", "the quick brown fox jumps over a lazy dog"],
  ["{ id, name, tags, score } (a small record)", {
    id: 12345,
    name: "Ada Lovelace",
    tags: ["math", "engines"],
    score: 99.5,
  }],
  ["an error record (name, message, stack)", {
    name: "TypeError",
    message: "Cannot read properties of undefined (reading 'x')",
    stack:
      "TypeError: Cannot read properties of undefined (reading 'x')\n    at task (file:///app/tasks.ts:12:5)",
  }],
  ["100 numbers", Array.from({ length: 100 }, (_, i) => i * 1.5)],
];

for (const [name, value] of VALUES) {
  const bytes = serialize(value);
  Deno.bench({
    name: `node:v8: encode ${name}`,
    group: `encode ${name}`,
    baseline: true,
    fn: () => {
      serialize(value);
    },
  });
  Deno.bench({
    name: `fast path: encode ${name}`,
    group: `encode ${name}`,
    fn: () => {
      serializeValue(value);
    },
  });
  Deno.bench({
    name: `node:v8: decode ${name}`,
    group: `decode ${name}`,
    baseline: true,
    fn: () => {
      deserialize(new Uint8Array(bytes));
    },
  });
  Deno.bench({
    name: `fast path: decode ${name}`,
    group: `decode ${name}`,
    fn: () => {
      deserializeValue(bytes);
    },
  });
}
