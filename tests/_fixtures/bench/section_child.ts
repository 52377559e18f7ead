/**
 * Stands in for `bench/run.ts` as a section's child process: given
 * `--only <section> --section-out <file> [--mode ok|fail|silent|hang]`, it
 * writes what a section would (with a `NaN` and an `undefined`, which JSON
 * would lose), exits with code 3, exits with 0 writing nothing, or never
 * exits by itself (printing `hanging <pid>` first).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  exitWhenOrphaned,
  SECTION_OUT_FLAG,
  writeSectionOutput,
} from "../../../bench/_section_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    [SECTION_OUT_FLAG]: { type: "string" },
    mode: { type: "string", default: "ok" },
  },
});
exitWhenOrphaned();
if (values.mode === "fail") Deno.exit(3);
if (values.mode === "hang") {
  setInterval(() => {}, 1_000);
  console.log(`hanging ${Deno.pid}`);
}
if (values.mode === "ok") {
  await writeSectionOutput(values[SECTION_OUT_FLAG]!, {
    results: { [values.only!]: { ratio: NaN, absent: undefined, n: 7 } },
    timings: { [values.only!]: { ms: 5, loadAverage: [0, 0, 0] } },
    pid: Deno.pid,
  });
}
if (values.mode !== "hang") Deno.exit(0);
