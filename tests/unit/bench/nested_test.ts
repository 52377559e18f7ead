import assert from "node:assert/strict";
import {
  type NestedResults,
  type NestedTransportResults,
  renderNestedTable,
} from "../../../bench/_nested.ts";

/** A transport's figures with only what the table reads. */
function figures(
  transport: "session" | "dispatch",
  directP50: number,
  nestedP50: number,
  directRate: number,
  nestedRate: number,
): NestedTransportResults {
  const sequential = (p50Ms: number) => ({ latency: { p50Ms } });
  const closed = (perSecond: number) => ({ perSecond });
  return {
    transport,
    direct: {
      sequential: sequential(directP50),
      c16: closed(directRate),
    },
    nested: {
      sequential: sequential(nestedP50),
      c16: closed(nestedRate),
    },
    latencyRatio: nestedP50 / directP50,
    rateRatio: nestedRate / directRate,
  } as unknown as NestedTransportResults;
}

Deno.test("renderNestedTable() shows direct and nested figures per transport, and their ratio", () => {
  const results: NestedResults = {
    session: figures("session", 0.2, 0.5, 8000, 3000),
    dispatch: figures("dispatch", 0.4, 1, 4000, 1000),
  };
  const table = renderNestedTable(results).split("\n");
  assert.equal(table.length, 2 + 4);
  assert.match(table[2], /session: sequential p50 .*\| +2\.50× \|$/);
  assert.match(table[3], /session: c16 calls\/s .*\| +0\.38× \|$/);
  assert.match(table[4], /dispatch: sequential p50 .*\| +2\.50× \|$/);
  assert.match(table[5], /dispatch: c16 calls\/s .*\| +0\.25× \|$/);
});
