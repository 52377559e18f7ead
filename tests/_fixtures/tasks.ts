/**
 * Task routines for the integration tests. Each is a plain export; the
 * tests reach them through a pool by this module's specifier.
 *
 * @module
 */
import { taskSignal } from "../../mod.ts";

/** Adds two numbers. */
export async function add(a: number, b: number): Promise<number> {
  return await Promise.resolve(a + b);
}

/** Returns its argument unchanged (after a round trip through the wire). */
export async function echo<T>(value: T): Promise<T> {
  return await Promise.resolve(value);
}

/** A synchronous function: returns the sum of its arguments. */
export function sum(...values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Yields 0 … n - 1, then returns "done". */
export async function* count(n: number): AsyncGenerator<number, string> {
  for (let i = 0; i < n; i++) yield await Promise.resolve(i);
  return "done";
}

/** Yields what it is sent, doubled, until it is sent `null`. */
export async function* doubler(): AsyncGenerator<
  number,
  string,
  number | null
> {
  let received = yield 0;
  while (received !== null) received = yield received * 2;
  return "stopped";
}

/** Yields 1, then catches what is thrown into it and yields its message. */
export async function* catcher(): AsyncGenerator<string, void, unknown> {
  try {
    yield "ready";
  } catch (error) {
    yield `caught ${(error as Error).message}`;
  }
}

/** A custom error class the caller does not know. */
export class QuotaExceeded extends Error {
  code = 42;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QuotaExceeded";
  }
}

/** Throws a `QuotaExceeded` with a cause. */
export async function failCustom(message: string): Promise<never> {
  await Promise.resolve();
  throw new QuotaExceeded(message, { cause: new Error("root cause") });
}

/** Throws a built-in `RangeError`. */
export async function failRange(message: string): Promise<never> {
  await Promise.resolve();
  throw new RangeError(message);
}

/** Throws synchronously, before returning a promise. */
export function failSync(message: string): never {
  throw new TypeError(message);
}

/** Yields once, then throws. */
export async function* failMidway(): AsyncGenerator<number> {
  yield 1;
  throw new RangeError("midway");
}

/** Returns a value that cannot be serialized. */
export async function unserializable(): Promise<unknown> {
  return await Promise.resolve({ fn: () => 1 });
}

/** Returns a string of `bytes` characters. */
export async function big(bytes: number): Promise<string> {
  return await Promise.resolve("x".repeat(bytes));
}

/** Not a function: for the nack tests. */
export const notAFunction = 42;

/**
 * Connects to a test's gate on `port` and waits until it is released, then
 * returns `value`. The test sees the arrival, so it knows the task runs.
 */
export async function waitAtGate<T>(port: number, value: T): Promise<T> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.read(new Uint8Array(1));
  } finally {
    conn.close();
  }
  return value;
}

/** Yields `n` values, stopping at the gate before the first. */
export async function* gatedCount(
  port: number,
  n: number,
): AsyncGenerator<number> {
  await waitAtGate(port, null);
  for (let i = 0; i < n; i++) yield i;
}

/**
 * Arrives at the gate, then waits for its task signal to abort, and
 * reports what the reason was (to a second gate connection's peer via the
 * returned string, when the caller still listens).
 */
export async function waitForAbort(port: number): Promise<string> {
  const signal = taskSignal();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const reason = signal.reason instanceof Error
    ? signal.reason.name
    : String(signal.reason);
  await conn.write(new TextEncoder().encode(`aborted:${reason}\n`));
  conn.close();
  return reason;
}

/** Appends `line` to the file at `path` (a side effect tests read back). */
export async function mark(path: string, line: string): Promise<string> {
  await Deno.writeTextFile(path, `${line}\n`, { append: true });
  return line;
}

/** Writes `text` to stdout and stderr, then returns it. */
export function shout(text: string): string {
  console.log(`out: ${text}`);
  console.error(`err: ${text}`);
  return text;
}

/** Ends the worker process at once, as a crashing task would. */
export function crash(code: number): never {
  Deno.exit(code);
}

/** Arrives at the gate, then kills its own worker process with SIGKILL. */
export async function crashAtGate(port: number): Promise<never> {
  await waitAtGate(port, null);
  Deno.kill(Deno.pid, "SIGKILL");
  return await new Promise<never>(() => {});
}

/** The worker's pid: tells the tests which worker ran a call. */
export function pid(): number {
  return Deno.pid;
}

/** Never yields the event loop: a task stuck in a synchronous loop. */
export function spin(): never {
  while (true) {
    // Burns the worker's only thread; only its process dying ends this.
  }
}
