/**
 * The standalone worker's command line: `parseWorkerArgs(Deno.args)` turns
 * it into checked, typed options, the help text, or a usage error naming
 * the bad flag or value (the entry prints it and exits with code 2). It
 * only parses: files are read, modules resolved and sockets bound by the
 * entry that runs the worker.
 *
 * @module
 */
import {
  type FlagSpec,
  WORKER_FLAGS,
  type WorkerFlag,
  workerHelp,
} from "./cli_flags.ts";
import {
  type StandaloneWorkerOptions,
  validateWorkerFlags,
} from "./cli_options.ts";
import { WorkerUsageError } from "./cli_usage_error.ts";

export type { StandaloneWorkerOptions };
export { WorkerUsageError };

/** What the command line asks for. */
export type WorkerArgs =
  | { readonly kind: "serve"; readonly options: StandaloneWorkerOptions }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "usage"; readonly error: WorkerUsageError };

/**
 * Parses the standalone worker's command line (`Deno.args`). Flags take
 * their value as the next argument or after `=`; `--help` (or `-h`)
 * anywhere wins.
 *
 * @param argv The arguments after the module.
 * @returns The options to serve with, the help text, or the usage error.
 *
 * @example Serving on any free port with a token
 * ```ts
 * import { parseWorkerArgs } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseWorkerArgs([
 *   "--listen", "0.0.0.0:0", "--advertise", "10.1.2.3:7000",
 *   "--token-file", "/run/secrets/wool", "--tag", "gpu",
 * ]);
 * assert.equal(parsed.kind, "serve");
 * if (parsed.kind === "serve") {
 *   assert.deepStrictEqual(parsed.options.listen, { host: "0.0.0.0", port: 0 });
 *   assert.deepStrictEqual(parsed.options.tags, ["gpu"]);
 *   assert.equal(parsed.options.graceMs, 30_000);
 * }
 * ```
 */
export function parseWorkerArgs(argv: readonly string[]): WorkerArgs {
  if (argv.some((arg) => arg === "--help" || arg === "-h")) {
    return { kind: "help", text: workerHelp() };
  }
  try {
    return { kind: "serve", options: validateWorkerFlags(collect(argv)) };
  } catch (error) {
    if (error instanceof WorkerUsageError) return { kind: "usage", error };
    throw error;
  }
}

function collect(argv: readonly string[]): Map<WorkerFlag, string[]> {
  const raw = new Map<WorkerFlag, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      throw new WorkerUsageError(
        undefined,
        `unexpected argument ${JSON.stringify(arg)}`,
      );
    }
    const equals = arg.indexOf("=");
    const name = equals < 0 ? arg : arg.slice(0, equals);
    if (!Object.hasOwn(WORKER_FLAGS, name)) {
      throw new WorkerUsageError(name, "unknown flag");
    }
    const flag = name as WorkerFlag;
    const spec: FlagSpec = WORKER_FLAGS[flag];
    let value = "";
    if (spec.value === undefined) {
      if (equals >= 0) throw new WorkerUsageError(flag, "takes no value");
    } else if (equals >= 0) {
      value = arg.slice(equals + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new WorkerUsageError(flag, `needs a value (${spec.value})`);
      }
      value = next;
      i++;
    }
    const values = raw.get(flag) ?? [];
    if (values.length > 0 && !spec.repeatable) {
      throw new WorkerUsageError(flag, "given more than once");
    }
    raw.set(flag, [...values, value]);
  }
  return raw;
}
