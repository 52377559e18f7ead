/**
 * What dropping @grpc/proto-loader and protobufjs from a worker's start-up
 * saves: fresh processes load the `wool.v1.Worker` service definition
 * (`fixtures/service_startup.ts`) from `src/wire/proto.ts` (today) and from
 * the generated `src/wire/wool_pb.ts`, alternating, and the medians of the
 * time to load it, the time from process start to serving-ready, and RSS
 * and heap after are printed with their ratios.
 *
 *     deno run -A bench/wire_startup.ts            # 8 processes of each
 *     deno run -A bench/wire_startup.ts --runs 20
 *
 * Module graphs come from Deno's cache (one unmeasured run of each first),
 * as a worker's do.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { median } from "./_stats.ts";
import { formatMiB, formatMs, formatRatio, renderTable } from "./_table.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "8" } },
});
const runs = Number(values.runs);
const CHILD = fileURLToPath(
  new URL("./fixtures/service_startup.ts", import.meta.url),
);
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

interface ChildFigures {
  readonly loadMs: number;
  readonly sinceStartMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

async function child(which: string): Promise<ChildFigures> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CHILD, which],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${which}: exit ${output.code}`);
  return JSON.parse(
    new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!,
  );
}

const WAYS = ["proto-loader", "generated"] as const;
for (const way of WAYS) await child(way);
const figures: Record<string, ChildFigures[]> = {
  "proto-loader": [],
  generated: [],
};
for (let i = 0; i < runs; i++) {
  for (const way of WAYS) figures[way].push(await child(way));
}
const med = (way: string, key: keyof ChildFigures) =>
  median(figures[way].map((f) => f[key]));
const row = (
  name: string,
  key: keyof ChildFigures,
  format: (n: number) => string,
) => [
  name,
  format(med("proto-loader", key)),
  format(med("generated", key)),
  formatRatio(med("generated", key) / med("proto-loader", key)),
];
console.log(renderTable(
  [
    "Median of " + runs + " processes each",
    "proto-loader",
    "generated",
    "generated / proto-loader",
  ],
  [
    row("Load the service definition", "loadMs", formatMs),
    row("Process start → service added to a server", "sinceStartMs", formatMs),
    row("RSS then", "rssBytes", formatMiB),
    row("V8 heap used then", "heapUsedBytes", formatMiB),
  ],
  ["left", "right", "right", "right"],
));
