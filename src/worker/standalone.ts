/**
 * The standalone worker's process: `deno run -A jsr:@wool/core/worker
 * --listen HOST:PORT …` (see `--help`, `cli_flags.ts`). From its command
 * line to its exit:
 *
 * 1. the flags are parsed: `--help` prints the usage and exits 0; a bad
 *    flag or value prints a message naming it and exits 2;
 * 2. on a Deno release known to break wool it refuses to start (exit 1),
 *    unless `--allow-known-bad-deno`;
 * 3. with `--config`, it re-launches itself under that config and exits
 *    as the child does (`config_relaunch.ts`);
 * 4. it reads its credential files (a bad one: exit 2 naming the flag),
 *    warns on stderr when the token would travel in clear or nothing
 *    authenticates callers, loads its backpressure hook (a bad hook: exit
 *    1 with the loader's message), listens (cannot: exit 1), starts
 *    announcing through NATS when asked, and prints exactly one line on
 *    stdout: `wool-worker listening on <address>`;
 * 5. it serves until SIGTERM or SIGINT, which drain it
 *    (`standalone_worker.ts`) and exit 0; a second signal stops it at once
 *    with exit code 128 + the signal's number. A `Stop` RPC drains it too.
 *
 * @module
 */
import { formatHostPort } from "../_util/host_port.ts";
import { writeAll } from "../_util/write_all.ts";
import {
  knownBadDenoRange,
  RECOMMENDED_DENO_VERSION,
} from "../_util/known_bad_deno.ts";
import { loadBackpressureHook } from "../backpressure/hook_loader.ts";
import type { NormalizedHook } from "../backpressure/hook_object.ts";
import { reportSettledErrorsOnce } from "./settled_reporter.ts";
import { parseWorkerArgs, WorkerUsageError } from "./cli.ts";
import type { StandaloneWorkerOptions } from "./cli_options.ts";
import {
  isRelaunched,
  launcherGone,
  relaunchUnderConfig,
} from "./config_relaunch.ts";
import {
  readWorkerCredentials,
  type WorkerCredentials,
} from "./credential_files.ts";
import { StandaloneWorker } from "./standalone_worker.ts";
import { keepAliveOnStrayErrors } from "./stray_errors.ts";

/** How the worker labels what it prints on stderr. */
const LABEL = "wool-worker";

/** The signals that drain a standalone worker, with their numbers. */
const STOP_SIGNALS: Readonly<Partial<Record<Deno.Signal, number>>> = {
  SIGTERM: 15,
  SIGINT: 2,
};

const encoder = new TextEncoder();

/**
 * Runs a standalone worker from its command line until it exits.
 *
 * @param argv The arguments after the module (`Deno.args`).
 */
export async function runStandaloneWorker(
  argv: readonly string[],
): Promise<never> {
  const parsed = parseWorkerArgs(argv);
  if (parsed.kind === "help") {
    await write(Deno.stdout, parsed.text);
    Deno.exit(0);
  }
  if (parsed.kind === "usage") return await exitWith(parsed.error);
  const options = parsed.options;
  const refusal = denoVersionRefusal(
    Deno.version.deno,
    options.allowKnownBadDeno,
  );
  if (refusal !== undefined) return await fail(refusal);
  const relaunched = isRelaunched();
  if (options.configFile !== undefined && !relaunched) {
    try {
      Deno.exit(await relaunchUnderConfig(options.configFile, argv));
    } catch (error) {
      return await exitWith(error);
    }
  }
  let credentials: WorkerCredentials;
  let hook: NormalizedHook | null;
  try {
    credentials = await readWorkerCredentials(options);
    hook = await loadHook(options);
  } catch (error) {
    return await exitWith(error);
  }
  for (const warning of credentials.warnings) {
    await write(Deno.stderr, `${LABEL}: warning: ${warning}\n`);
  }
  keepAliveOnStrayErrors(LABEL);
  let worker: StandaloneWorker;
  try {
    worker = await StandaloneWorker.start(
      options,
      credentials,
      hook,
      () => {
        console.error(`${LABEL}: Stop: draining`);
        void worker.drain().then(() => Deno.exit(0));
      },
    );
  } catch (error) {
    const { host, port } = options.listen;
    return await fail(
      `cannot listen on ${formatHostPort(host, port)}: ${messageOf(error)}`,
    );
  }
  handleStopSignals(worker, options.graceMs);
  if (relaunched) void launcherGone().then(() => halt(worker, 1));
  await write(Deno.stdout, `wool-worker listening on ${worker.address}\n`);
  return await new Promise<never>(() => {});
}

/**
 * Why this worker refuses to run on Deno `version`, or `undefined` when it
 * does not (the version is fine, or `allowKnownBad`).
 */
export function denoVersionRefusal(
  version: string,
  allowKnownBad: boolean,
): string | undefined {
  const range = knownBadDenoRange(version);
  if (range === undefined || allowKnownBad) return undefined;
  return `cannot start: Deno ${version} ${range.problem} (Deno ${range.first}–${range.last} are affected). ` +
    `Install Deno ${RECOMMENDED_DENO_VERSION} (npm install -g deno@${RECOMMENDED_DENO_VERSION}), ` +
    `or pass --allow-known-bad-deno to run on Deno ${version} anyway`;
}

/**
 * The first stop signal drains the worker, the next halts it; each says so
 * on stderr as it begins.
 */
function handleStopSignals(
  worker: StandaloneWorker,
  graceMs: number,
): void {
  for (const [signal, number] of Object.entries(STOP_SIGNALS)) {
    try {
      Deno.addSignalListener(signal as Deno.Signal, () => {
        if (worker.draining) {
          console.error(`${LABEL}: ${signal} again: stopping at once`);
          halt(worker, 128 + number);
        }
        console.error(
          `${LABEL}: ${signal}: draining: new tasks are refused, those in flight get ${graceMs} ms; a second signal stops at once`,
        );
        void worker.drain().then(() => Deno.exit(0));
      });
    } catch {
      // A signal this platform does not have (SIGTERM on Windows).
    }
  }
}

function halt(worker: StandaloneWorker, code: number): never {
  worker.halt();
  Deno.exit(code);
}

function loadHook(
  options: StandaloneWorkerOptions,
): Promise<NormalizedHook> | null {
  const spec = options.backpressure;
  if (spec === undefined) return null;
  return loadBackpressureHook({
    module: spec.module,
    export: spec.export ?? "default",
    ...(spec.options === undefined ? {} : { options: spec.options }),
  }, { onSettledError: reportSettledErrorsOnce(LABEL).report });
}

/** Exits with a usage error's code (2), or 1 for any other failure. */
async function exitWith(error: unknown): Promise<never> {
  if (error instanceof WorkerUsageError) {
    await write(Deno.stderr, `${LABEL}: ${error.message}\n`);
    Deno.exit(error.exitCode);
  }
  return await fail(messageOf(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function fail(message: string): Promise<never> {
  await write(Deno.stderr, `${LABEL}: ${message}\n`);
  Deno.exit(1);
}

async function write(stream: typeof Deno.stdout, text: string): Promise<void> {
  await writeAll(stream, encoder.encode(text));
}
