/**
 * Reading V8 CPU profiles (`.cpuprofile`, as `deno run --cpu-prof` writes
 * them): self time per function and per package, for `bench/profile.ts`.
 *
 * @module
 */

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber?: number;
    };
  }[];
  readonly samples: readonly number[];
  /** Microseconds since the previous sample, per sample. */
  readonly timeDeltas: readonly number[];
}

/** Self time of one function (or package). */
export interface SelfTime {
  readonly name: string;
  /** Milliseconds. */
  readonly selfMs: number;
  /** Share of the busy time (every sample but `(idle)`). */
  readonly share: number;
}

/** A profile's self times, busiest first. */
export interface ProfileSummary {
  /** Milliseconds the profile covers. */
  readonly totalMs: number;
  /** Milliseconds not spent in `(idle)`. */
  readonly busyMs: number;
  readonly functions: readonly SelfTime[];
  readonly packages: readonly SelfTime[];
  /** Self time per {@linkcode Category}: where the time goes. */
  readonly categories: readonly SelfTime[];
}

/** What a frame's self time is spent on, for the "where the time goes" table. */
export type Category =
  | "garbage collector"
  | "socket writes (native; includes time preempted)"
  | "values: V8 (de)serializer and copies"
  | "frames: protobuf encode/decode"
  | "Buffer allocation"
  | "grpc-js and node:http2"
  | "@wool/core call path (promises, closures, state)"
  | "Deno runtime (microtasks, timers, AbortSignal, async context)"
  | "benchmark load generator"
  | "other";

const SOCKET_WRITES = new Set([
  "writeBuffer",
  "writev",
  "op_net_write",
  "WriteWrap",
  "getOutgoingChunk",
  "handle.sendPending",
]);

/** The {@linkcode Category} of a frame. */
export function categoryOf(
  frame: CpuProfile["nodes"][number]["callFrame"],
): Category {
  const { functionName: name, url } = frame;
  if (name === "(garbage collector)") return "garbage collector";
  if (SOCKET_WRITES.has(name)) {
    return "socket writes (native; includes time preempted)";
  }
  if (
    name.startsWith("op_v8_") || url === "ext:deno_node/v8.ts" ||
    /\/src\/wire\/(values|fast_values|v8_fast_\w+)\.ts$/.test(url)
  ) return "values: V8 (de)serializer and copies";
  if (
    /npm:(protobufjs|@grpc\/proto-loader|long|@protobufjs\/.+)$/.test(
      packageOf(url, name),
    ) || /\/src\/wire\/(wool_pb|pb_reader|pb_writer)\.ts$/.test(url) ||
    name.endsWith("$encode") || name.endsWith("$decode") ||
    name.endsWith("$fromObject") || name.endsWith("$toObject")
  ) return "frames: protobuf encode/decode";
  if (url === "ext:deno_node/internal/buffer.mjs") return "Buffer allocation";
  const pkg = packageOf(url, name);
  if (pkg === "npm:@grpc/grpc-js" || url.startsWith("ext:deno_node/")) {
    return "grpc-js and node:http2";
  }
  if (pkg.startsWith("@wool/core")) {
    return "@wool/core call path (promises, closures, state)";
  }
  if (
    pkg === "deno runtime" || pkg === "(native: deno ops)" ||
    name === "(program)"
  ) return "Deno runtime (microtasks, timers, AbortSignal, async context)";
  if (pkg === "bench") return "benchmark load generator";
  return "other";
}

/**
 * Sums self time per function (name and location) and per package.
 *
 * A sample's time is the delta to the *next* sample (the time the sampled
 * frame went on running), as Chrome DevTools counts it; the last sample
 * gets none.
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byNode = new Map<number, CpuProfile["nodes"][number]>();
  for (const node of profile.nodes) byNode.set(node.id, node);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const categories = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (us <= 0) continue;
    const node = byNode.get(profile.samples[i]);
    if (!node) continue;
    totalUs += us;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const key = functionKey(frame);
    functions.set(key, (functions.get(key) ?? 0) + us);
    const pkg = packageOf(frame.url, frame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const category = categoryOf(frame);
    categories.set(category, (categories.get(category) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map.entries()]
      .map(([name, us]) => ({
        name,
        selfMs: us / 1000,
        share: busyUs > 0 ? us / busyUs : 0,
      }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    functions: rank(functions),
    packages: rank(packages),
    categories: rank(categories),
  };
}

/** `name file:line` of a frame, with the URL shortened to its package path. */
export function functionKey(
  frame: CpuProfile["nodes"][number]["callFrame"],
): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  return `${name} ${shortenUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/**
 * Which package a frame belongs to: `npm:<name>` for npm packages,
 * `@wool/core src/<dir>` for this project's source, `bench` for the
 * benchmark, `deno/node compat` or `deno runtime` for the runtime's own
 * JavaScript, `(native: deno ops)` and `(native)` for native functions, or
 * the V8 pseudo-frame (`(garbage collector)`, `(program)`).
 */
export function packageOf(url: string, functionName = ""): string {
  if (!url) {
    if (functionName.startsWith("(")) return functionName;
    return functionName.startsWith("op_") ? "(native: deno ops)" : "(native)";
  }
  const npm =
    /node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//
      .exec(url) ?? /\/npm\/[^/]+\/((?:@[^/]+\/)?[^/@]+)(?:@|\/)/.exec(url);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:") || url.startsWith("node:")) {
    return url.includes("node") ? "deno/node compat" : "deno runtime";
  }
  const src = /\/src\/([^/]+)\//.exec(url);
  if (src) return `@wool/core src/${src[1]}`;
  if (url.includes("/bench/")) return "bench";
  return shortenUrl(url);
}

function shortenUrl(url: string): string {
  const npm = /node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?(.+)$/.exec(url);
  if (npm) return npm[1];
  const registry = /\/npm\/registry\.npmjs\.org\/(.+)$/.exec(url);
  if (registry) return registry[1];
  const project = /\/((?:src|bench|tests)\/.+)$/.exec(url);
  if (project) return project[1];
  return url.replace(/^file:\/\//, "");
}
