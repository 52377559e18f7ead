import assert from "node:assert/strict";
import {
  formatMiB,
  formatMs,
  formatPercent,
  formatRate,
  formatRatio,
  renderTable,
} from "../../../bench/_table.ts";

Deno.test("renderTable() pads cells, aligns columns and escapes pipes", () => {
  const table = renderTable(
    ["Name", "Value"],
    [["a|b", "1"], ["long name", "12345"]],
    ["left", "right"],
  );
  assert.equal(
    table,
    [
      "| Name      | Value |",
      "| --------- | ----: |",
      "| a\\|b      |     1 |",
      "| long name | 12345 |",
    ].join("\n"),
  );
});

Deno.test("renderTable() rejects a row of the wrong length", () => {
  assert.throws(() => renderTable(["a", "b"], [["1"]]), RangeError);
});

Deno.test("formatMs() picks µs, ms or s by magnitude", () => {
  assert.equal(formatMs(0.1234), "123 µs");
  assert.equal(formatMs(2.5), "2.50 ms");
  assert.equal(formatMs(15.25), "15.3 ms");
  assert.equal(formatMs(1500), "1.50 s");
  assert.equal(formatMs(NaN), "n/a");
});

Deno.test("formatRate(), formatRatio(), formatMiB() and formatPercent() read well", () => {
  assert.equal(formatRate(950), "950 tasks/s");
  assert.equal(formatRate(9400, "msg/s"), "9.40k msg/s");
  assert.equal(formatRate(31_234), "31.2k tasks/s");
  assert.equal(formatRatio(1.234), "1.23×");
  assert.equal(formatRatio(NaN), "n/a");
  assert.equal(formatMiB(64 * 2 ** 20), "64.0 MiB");
  assert.equal(formatPercent(0.6642), "66.4%");
});
