/**
 * Task routines for the integration tests. Each is a plain export; the
 * tests reach them through a pool by this module's specifier.
 *
 * @module
 */
import { getHeapStatistics } from "node:v8";
import { taskSignal, WorkerPool } from "../../mod.ts";
import { currentTaskContext } from "../../src/task/task_context.ts";

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

/**
 * Throws an error whose `issues` and `code` are own non-enumerable
 * properties, as a validation library or Node's errors define them, and
 * whose `retry` (a function) cannot cross the wire.
 */
export async function failValidation(): Promise<never> {
  await Promise.resolve();
  const error = new TypeError("invalid input");
  Object.defineProperties(error, {
    issues: { value: [{ path: ["name"], message: "Required" }] },
    code: { value: "E_INVALID", writable: true },
    retry: { value: () => true },
  });
  throw error;
}

/** Throws an `AggregateError`, whose `errors` is not enumerable. */
export async function failAggregate(): Promise<never> {
  await Promise.resolve();
  throw new AggregateError([new RangeError("first"), "second"], "both failed");
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

/** Resolves once `signal` has aborted (at once if it has). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * Arrives at the gate, then waits for its task signal to abort, and
 * reports what the reason was, `aborted:<reason>`, on that connection (an
 * `Inbox` reads it), and as its result when the caller still listens. The
 * reason is its error's name, or with `detail` "message" its message.
 */
export async function waitForAbort(
  port: number,
  detail: "name" | "message" = "name",
): Promise<string> {
  const signal = taskSignal();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await aborted(signal);
  const reason = signal.reason instanceof Error
    ? signal.reason[detail]
    : String(signal.reason);
  await conn.write(new TextEncoder().encode(`aborted:${reason}\n`));
  conn.close();
  return reason;
}

/**
 * The task signals of `holdSignal` tasks, by key, for tests that run a
 * worker's task sessions in their own process (the same module instance).
 */
export const heldSignals: Map<string, AbortSignal> = new Map();

/** Keeps its task signal in `heldSignals` under `key`, and holds its slot until it aborts. */
export async function holdSignal(key: string): Promise<void> {
  const signal = taskSignal();
  heldSignals.set(key, signal);
  await aborted(signal);
}

/**
 * Holds its slot until its task signal aborts, and ends in the same turn.
 * No I/O at all: once its module is loaded, it is waiting on its signal
 * from the turn it was admitted in, so the worker decides nothing after it
 * before it listens.
 */
export async function holdUntilAborted(): Promise<void> {
  await aborted(taskSignal());
}

/** Appends `line` to the file at `path` (a side effect tests read back). */
export async function mark(path: string, line: string): Promise<string> {
  await Deno.writeTextFile(path, `${line}\n`, { append: true });
  return line;
}

/** Reads a text file: a task that needs `read` of `path`. */
export async function readText(path: string): Promise<string> {
  return await Deno.readTextFile(path);
}

/** Yields a file's lines: a generator that needs `read` of `path`. */
export async function* readLines(path: string): AsyncGenerator<string> {
  yield "started";
  for (const line of (await Deno.readTextFile(path)).split("\n")) yield line;
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

/**
 * Keeps allocating, ~1 MiB at a time, until the worker's heap limit kills
 * it. Should the limit not be applied, it stops at `capMb` MiB and returns
 * how much it kept, so a test fails instead of filling the machine.
 */
export function exhaustHeap(capMb: number): number {
  const kept: number[][] = [];
  while (kept.length < capMb) kept.push(new Array(128 * 1024).fill(1.5));
  return kept.length;
}

/**
 * How deep a plain recursion goes before the stack runs out: the deepest
 * of three descents. A frame's size depends on the tier V8 runs the
 * function in, and the first descent may tier up partway down; by the
 * third, every frame is of the same kind.
 */
export function stackDepth(): number {
  let deepest = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    let depth = 0;
    const descend = (): void => {
      depth++;
      descend();
    };
    try {
      descend();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** The worker's V8 heap limit in bytes (`heap_size_limit`). */
export function heapSizeLimit(): number {
  return getHeapStatistics().heap_size_limit;
}

/** Appends the worker's pid to the file at `path`, and returns the pid. */
export async function markPid(path: string): Promise<number> {
  await Deno.writeTextFile(path, `${Deno.pid}\n`, { append: true });
  return Deno.pid;
}

/** How {@linkcode dispatchFromTask}'s nested call ended. */
export interface NestedOutcome {
  /** The id of the task that made the nested call (this one). */
  readonly callerId: string;
  /** The nested call's error message, when it failed. */
  readonly error?: string;
  /** The nested call's result, when it succeeded. */
  readonly value?: unknown;
}

/**
 * Starts a one-worker pool with the `backpressure` hook from inside this
 * task, calls `exportName` of `module` on it with `tag`, and reports how the
 * nested call ended, with this task's own id (which the nested task sees as
 * `ctx.task.caller`).
 */
export async function dispatchFromTask(
  module: string,
  exportName: string,
  tag: string,
  backpressure: string,
): Promise<NestedOutcome> {
  const callerId = currentTaskContext()?.id ?? "";
  await using pool = await WorkerPool.start({ spawn: 1, backpressure });
  try {
    const value = await pool.dispatch({ module, export: exportName, tag });
    return { callerId, value };
  } catch (error) {
    return { callerId, error: (error as Error).message };
  }
}

/** The value of the environment variable `name` in the worker, or `null`. */
export function env(name: string): string | null {
  return Deno.env.get(name) ?? null;
}

/** The worker's state of the permission `name`: "granted", "prompt", "denied". */
export async function permission(
  name: "read" | "write" | "net" | "env" | "run" | "ffi" | "sys",
): Promise<Deno.PermissionState> {
  return (await Deno.permissions.query({ name })).state;
}

/** Sends `line` to the test's inbox on `port` (a side channel out of a task). */
export async function report(port: number, line: string): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const bytes = new TextEncoder().encode(`${line}\n`);
    let written = 0;
    while (written < bytes.length) {
      written += await conn.write(bytes.subarray(written));
    }
  } finally {
    conn.close();
  }
}

/**
 * Yields 0, 1, 2, … for as long as it is pulled; when it is closed (by
 * `return()`, a thrown error, or cancellation), its `finally` appends
 * "closed" to the file at `path` before the close completes.
 */
export async function* ticks(path: string): AsyncGenerator<number> {
  try {
    for (let i = 0;; i++) yield await Promise.resolve(i);
  } finally {
    await Deno.writeTextFile(path, "closed\n", { append: true });
  }
}

/**
 * Yields 0, 1, 2, … for as long as it is pulled; when it is closed, its
 * `finally` reports "closed" and whether its task signal had aborted to the
 * inbox on `port`.
 */
export async function* ticksReportingClose(
  port: number,
): AsyncGenerator<number> {
  const signal = taskSignal();
  try {
    for (let i = 0;; i++) yield await Promise.resolve(i);
  } finally {
    await report(port, `closed aborted=${signal.aborted}`);
  }
}

/** Throws an `Error` whose message is `length` characters long. */
export async function failHuge(length: number): Promise<never> {
  await Promise.resolve();
  throw new Error("x".repeat(length));
}
