/**
 * The external servers the integration tests run for real (`dnsmasq`,
 * `nats-server`, `openssl`): finding their binaries, deciding whether a
 * test runs, and one child-process handle that waits for a server's own
 * "ready" log line (never a sleep) and is always stopped and reaped.
 *
 * Where a binary is missing, its tests are ignored with a message naming
 * the Debian package, except under `CI=true`: there the tests run and fail
 * with that message, so CI cannot pass by skipping them.
 *
 * @module
 */

/** A server binary and the Debian package that provides it. */
export interface Engine {
  readonly binary: string;
  readonly debianPackage: string;
}

/** `dnsmasq`, the DNS server the DNS discovery tests query. */
export const DNSMASQ: Engine = { binary: "dnsmasq", debianPackage: "dnsmasq" };
/** `nats-server` (no JetStream needed). */
export const NATS_SERVER: Engine = {
  binary: "nats-server",
  debianPackage: "nats-server",
};
/** `openssl`, which makes the TLS tests' certificates. */
export const OPENSSL: Engine = { binary: "openssl", debianPackage: "openssl" };

/** Debian keeps servers in sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** The binary's absolute path, or `undefined` when it is not installed. */
export function findEngine(engine: Engine): string | undefined {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), ...EXTRA_DIRS];
  for (const dir of dirs) {
    if (dir === "") continue;
    const path = `${dir}/${engine.binary}`;
    try {
      const info = Deno.statSync(path);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

/** Thrown by {@linkcode requireEngine} when a binary is missing. */
export class MissingEngine extends Error {
  constructor(engine: Engine) {
    super(
      `${engine.binary} is not installed: apt-get install -y ${engine.debianPackage}`,
    );
    this.name = "MissingEngine";
  }
}

/** The binary's path; throws {@linkcode MissingEngine} when missing. */
export function requireEngine(engine: Engine): string {
  const path = findEngine(engine);
  if (path === undefined) throw new MissingEngine(engine);
  return path;
}

const warned = new Set<string>();

/**
 * `true` when the tests needing `engines` must be ignored: one is missing
 * and this is not CI (`CI=true`). Says so once per binary on stderr.
 */
export function ignoreWithout(...engines: Engine[]): boolean {
  return shouldIgnore(engines, Deno.env.get("CI") === "true");
}

/** {@linkcode ignoreWithout}, with whether this is CI given. */
export function shouldIgnore(engines: readonly Engine[], ci: boolean): boolean {
  const missing = engines.filter((engine) => findEngine(engine) === undefined);
  if (missing.length === 0 || ci) return false;
  for (const engine of missing) {
    if (warned.has(engine.binary)) continue;
    warned.add(engine.binary);
    console.error(
      `Ignoring tests that need ${engine.binary}: install the Debian package "${engine.debianPackage}" to run them`,
    );
  }
  return true;
}

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** How a server run ended before it was ready. */
export class EngineStartError extends Error {
  constructor(
    readonly command: string,
    readonly log: string,
    readonly code: number | null,
  ) {
    super(
      `${command} exited (code ${code}) before it was ready; its log:\n${log}`,
    );
    this.name = "EngineStartError";
  }
}

const LOG_TAIL_LINES = 40;

/**
 * A server process started by a test: its log (stderr, or stdout too) is
 * read line by line from the start, so a test can wait for a line, and is
 * kept (the last lines) for error messages. `stop()` ends it with SIGTERM
 * and reaps it; it is idempotent.
 */
export class EngineProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  readonly #reading: Promise<void>;
  readonly #label: string;
  #waiters: {
    match: (line: string) => boolean;
    resolve: (line: string) => void;
  }[] = [];
  #ended = false;
  #onEnd: (() => void)[] = [];
  #stopped: Promise<Deno.CommandStatus> | undefined;

  private constructor(path: string, args: string[]) {
    this.#label = `${path} ${args.join(" ")}`;
    this.#child = new Deno.Command(path, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([
      this.#read(this.#child.stdout),
      this.#read(this.#child.stderr),
    ]).then(() => {
      this.#ended = true;
      for (const notify of this.#onEnd) notify();
    });
  }

  /** Starts `path` with `args`. */
  static spawn(path: string, args: string[]): EngineProcess {
    return new EngineProcess(path, args);
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The last lines it logged. */
  get log(): string {
    return this.#lines.slice(-LOG_TAIL_LINES).join("\n");
  }

  /**
   * Resolves with the first line (logged already or still to come) that
   * `match` accepts; rejects with {@linkcode EngineStartError} when the
   * process ends first.
   */
  async waitForLine(match: (line: string) => boolean): Promise<string> {
    const seen = this.#lines.find(match);
    if (seen !== undefined) return seen;
    if (this.#ended) throw await this.#startError();
    const line = await new Promise<string | undefined>((resolve) => {
      this.#waiters.push({ match, resolve });
      this.#onEnd.push(() => resolve(undefined));
    });
    if (line === undefined) throw await this.#startError();
    return line;
  }

  async #startError(): Promise<EngineStartError> {
    const status = await this.#stop();
    return new EngineStartError(this.#label, this.log, status.code);
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) this.#record(line);
    }
    if (pending !== "") this.#record(pending);
  }

  #record(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > 4 * LOG_TAIL_LINES) {
      this.#lines.splice(0, this.#lines.length - LOG_TAIL_LINES);
    }
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.match(line)) waiter.resolve(line);
      else this.#waiters.push(waiter);
    }
  }

  /** Sends `signal` to the process, unless it already exited. */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /** Ends the process (SIGTERM) and reaps it; resolves with its status. */
  stop(): Promise<Deno.CommandStatus> {
    return this.#stop();
  }

  #stop(): Promise<Deno.CommandStatus> {
    this.#stopped ??= (async () => {
      this.kill("SIGTERM");
      const status = await this.#child.status;
      await this.#reading;
      return status;
    })();
    return this.#stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
