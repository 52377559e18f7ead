/**
 * A standalone worker (`src/worker/main.ts` with flags) as a test starts
 * it, in a process of its own: the ready line is awaited (never a sleep),
 * stdout and stderr are kept apart, and disposing it kills the process
 * (SIGKILL) and reaps it. Also: token files as a worker accepts them.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Gate } from "./gate.ts";
import {
  type DispatchOutcome,
  type RawWorkerClient,
  taskFrame,
} from "./raw_client.ts";

/** The worker entry, as `deno run` takes it. */
export const WORKER_MAIN = fileURLToPath(
  new URL("../../src/worker/main.ts", import.meta.url),
);

const READY = /^wool-worker listening on (\S+)$/;

/** How to start a worker process. */
export interface StandaloneStart {
  /** `deno run` flags before the module; `-A` unless given. */
  readonly runFlags?: readonly string[];
  /** The working directory. */
  readonly cwd?: string;
  /** The module to run, instead of the worker entry (a fixture). */
  readonly module?: string;
}

/** How a worker process ended, and all it printed. */
export interface StandaloneExit {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running standalone worker process. */
export class StandaloneProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdout = new Lines();
  readonly #stderr = new Lines();
  readonly #reading: Promise<void>;
  readonly #exit: Promise<StandaloneExit>;
  #address = "";

  private constructor(args: readonly string[], start: StandaloneStart) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        ...start.runFlags ?? ["-A"],
        start.module ?? WORKER_MAIN,
        ...args,
      ],
      ...(start.cwd === undefined ? {} : { cwd: start.cwd }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([
      this.#stdout.read(this.#child.stdout),
      this.#stderr.read(this.#child.stderr),
    ]).then(() => {});
    this.#exit = this.#child.status.then(async (status) => {
      await this.#reading;
      return {
        code: status.code,
        signal: status.signal,
        stdout: this.#stdout.text,
        stderr: this.#stderr.text,
      };
    });
  }

  /**
   * Starts a worker with `args` and resolves once it printed its ready
   * line; rejects with its output when it exits first.
   */
  static async start(
    args: readonly string[],
    start: StandaloneStart = {},
  ): Promise<StandaloneProcess> {
    const worker = new StandaloneProcess(args, start);
    const line = await Promise.race([
      worker.#stdout.first((text) => READY.test(text)),
      worker.#exit.then(() => undefined),
    ]);
    if (line === undefined) {
      const exit = await worker.#exit;
      throw new Error(
        `the worker exited (code ${exit.code}) before it was ready:\n${exit.stdout}${exit.stderr}`,
      );
    }
    worker.#address = READY.exec(line)![1];
    return worker;
  }

  /** Runs a worker with `args` to its end (`--help`, a refusal). */
  static run(
    args: readonly string[],
    start: StandaloneStart = {},
  ): Promise<StandaloneExit> {
    return new StandaloneProcess(args, start).#exit;
  }

  /** The address of its ready line. */
  get address(): string {
    return this.#address;
  }

  /** Its process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** What it printed on stdout so far. */
  get stdout(): string {
    return this.#stdout.text;
  }

  /** What it printed on stderr so far. */
  get stderr(): string {
    return this.#stderr.text;
  }

  /** Resolves with its exit, once it exited and its output is read. */
  get exited(): Promise<StandaloneExit> {
    return this.#exit;
  }

  /** Resolves with the first line on stderr that `match` accepts. */
  stderrLine(match: (line: string) => boolean): Promise<string> {
    return this.#stderr.first(match);
  }

  /** Sends `signal`, unless it exited already. */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.#exit;
  }
}

/** Lines read from a stream, kept, and handed to whoever waits for one. */
class Lines {
  readonly lines: string[] = [];
  #pending = "";
  #waiters: {
    match: (line: string) => boolean;
    resolve: (line: string) => void;
  }[] = [];

  get text(): string {
    return this.lines.map((line) => `${line}\n`).join("") + this.#pending;
  }

  first(match: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  async read(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (this.#pending + chunk).split("\n");
      this.#pending = parts.pop() ?? "";
      for (const line of parts) this.#push(line);
    }
  }

  #push(line: string): void {
    this.lines.push(line);
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.match(line)) waiter.resolve(line);
      else this.#waiters.push(waiter);
    }
  }
}

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

/**
 * Starts `waitAtGate(gate.port, value)` on `raw` and resolves once the task
 * runs (it arrived at the gate), with the outcome still to come.
 */
export async function taskAtGate<T>(
  raw: RawWorkerClient,
  gate: Gate,
  value: T,
): Promise<{ readonly outcome: Promise<DispatchOutcome> }> {
  const arrivals = gate.arrivals;
  const outcome = raw.dispatch([
    taskFrame({ module: TASKS, export: "waitAtGate" }, [gate.port, value]),
  ]);
  await gate.arrived(arrivals + 1);
  return { outcome };
}

/** A private directory for a test's token files; removed on dispose. */
export class TokenFiles implements AsyncDisposable {
  readonly #dir: string;
  #written = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Makes the directory. */
  static async create(): Promise<TokenFiles> {
    return new TokenFiles(await Deno.makeTempDir({ prefix: "wool-token-" }));
  }

  /**
   * Writes `content` to a new file of mode `mode` (0600: only its owner
   * reads it, as a worker requires) and returns its path.
   */
  async write(content: string, mode = 0o600): Promise<string> {
    const path = `${this.#dir}/token-${++this.#written}`;
    await Deno.writeTextFile(path, content, { mode });
    await Deno.chmod(path, mode);
    return path;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.#dir, { recursive: true });
  }
}
