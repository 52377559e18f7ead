/**
 * `WorkerPool`: the facade over the roster, the dispatcher and the pool's
 * workers (the fleet it spawns, the workers its discovery finds).
 *
 * @module
 */
import { IdTable } from "../_util/id_table.ts";
import { withTimeout } from "../_util/timeout.ts";
import type { Task } from "../backpressure/types.ts";
import type {
  LoadBalancer,
  WorkerInfo,
} from "../loadbalancer/load_balancer.ts";
import { currentTaskContext } from "../task/task_context.ts";
import { captureContext } from "../task/context_var.ts";
import {
  contextBytes,
  decodeContext,
  encodeContext,
} from "../wire/context_values.ts";
import { startCallTelemetry } from "../telemetry/call_telemetry.ts";
import { PROTOCOL_VERSION } from "../wire/protocol_version.ts";
import { MessageTooLarge } from "../wire/message_too_large.ts";
import { decodeArgs, encodeArgs } from "../wire/values.ts";
import { CallDepthExceeded } from "../wire/call_depth_exceeded.ts";
import { TaskLoadError } from "../wire/task_load_error.ts";
import { describeErrorMessage } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";
import { NestedRelay } from "./nested_relay.ts";
import type { TaskFrame } from "../wire/frames.ts";
import type { SocketDirectory } from "../process/socket_directory.ts";
import {
  failedCall,
  type RemoteCall,
  startedCall,
} from "../call/remote_call.ts";
import { CallRun } from "./call_run.ts";
import { Dispatcher } from "./dispatcher.ts";
import { PoolClosed } from "./errors.ts";
import type { Members } from "./members.ts";
import { startMembers } from "./pool_start.ts";
import { FRAME_OVERHEAD_BYTES } from "../wire/frames.ts";
import { type CloseOptions, validateCloseOptions } from "./close_options.ts";
import { validatePoolOptions, type WorkerPoolOptions } from "./options.ts";
import { taskKeyReader } from "../backpressure/task_key.ts";
import { type Remote, remoteOf } from "../call/remote.ts";
import {
  type PoolEvent,
  Roster,
  type RosterChange,
  type SubscribeOptions,
  validateSubscribeOptions,
} from "./roster.ts";
import { type PoolStats, StatsBook } from "./stats.ts";
import {
  describeDispatchCall,
  type DispatchCall,
  type RemoteOptions,
  validateDispatchCall,
  validateModule,
} from "../call/dispatch_call.ts";

/**
 * The lifecycle of a pool:
 * - `"running"`: takes calls;
 * - `"closing"`: `close()` has begun; new calls reject with `PoolClosed`;
 * - `"closed"`: every worker process has exited.
 */
export type PoolState = "running" | "closing" | "closed";

/**
 * Bytes a task frame's module, export and tag may take beyond
 * `maxMessageBytes`: the wire's frame limit is `maxMessageBytes` plus
 * `FRAME_OVERHEAD_BYTES`, less 1 KiB kept for ids and protobuf framing. A
 * larger frame would be refused by grpc-js as it is sent, which on a
 * session stream ends every task on it.
 */
const TASK_FIELDS_ROOM_BYTES = FRAME_OVERHEAD_BYTES - 1024;
const encoder = new TextEncoder();

/** Each pool's secret, for {@linkcode poolSecret}. */
const SECRETS = new WeakMap<WorkerPool, string>();

/**
 * The secret `pool`'s workers require of every call, for tools and tests
 * that speak the wire protocol to them directly. Not part of the public
 * surface: code in this process can do anything the pool can anyway.
 */
export function poolSecret(pool: WorkerPool): string {
  const secret = SECRETS.get(pool);
  if (secret === undefined) throw new TypeError("Not a started WorkerPool");
  return secret;
}

/**
 * A pool of worker processes that run exported functions and async
 * generators of task modules, with admission control in every worker.
 *
 * @example Starting a pool, calling a coroutine and a generator
 * ```ts
 * import { WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const module = "data:text/javascript,export const add = async (a, b) => a + b;" +
 *   "export async function* count(n) { for (let i = 0; i < n; i++) yield i; }";
 * await using pool = await WorkerPool.start({ spawn: 2 });
 * const tasks = pool.remote<{
 *   add(a: number, b: number): Promise<number>;
 *   count(n: number): AsyncGenerator<number>;
 * }>(module);
 * assert.equal(await tasks.add(1, 2), 3);
 * const seen: number[] = [];
 * for await (const i of tasks.count(3)) seen.push(i);
 * assert.deepEqual(seen, [0, 1, 2]);
 * ```
 */
export class WorkerPool implements AsyncDisposable {
  readonly #roster: Roster;
  readonly #dispatcher: Dispatcher;
  readonly #members: Members;
  readonly #sockets: SocketDirectory | undefined;
  readonly #stats: StatsBook;
  readonly #maxMessageBytes: number;
  readonly #maxCallDepth: number;
  /** The calls in flight, by number (an IdTable: see why there). */
  readonly #runs = new IdTable<CallRun>();
  #nextRun = 0;
  readonly #idPrefix = crypto.randomUUID().slice(0, 8);
  #nextTask = 1;
  #state: PoolState = "running";
  #closed: Promise<void> | undefined;
  #onRunsEmpty: (() => void) | undefined;

  private constructor(
    roster: Roster,
    members: Members,
    sockets: SocketDirectory | undefined,
    stats: StatsBook,
    loadBalancer: LoadBalancer,
    admissionWait: { readonly ms: number; readonly key: string | undefined },
    maxMessageBytes: number,
    maxCallDepth: number,
  ) {
    this.#roster = roster;
    this.#members = members;
    this.#sockets = sockets;
    this.#stats = stats;
    this.#maxMessageBytes = maxMessageBytes;
    this.#maxCallDepth = maxCallDepth;
    this.#dispatcher = new Dispatcher({
      roster,
      loadBalancer,
      stats,
      admissionWaitMs: admissionWait.ms,
      ...(admissionWait.key === undefined
        ? {}
        : { admissionWaitKey: taskKeyReader(admissionWait.key) }),
      evict: (id, cause, reason) => members.evict(id, cause, reason),
      accepted: (id) => members.accepted(id),
      refused: (id, cause) => members.refused(id, cause),
      relay: {
        handlerFor: (parent, channel) =>
          new NestedRelay(
            channel,
            (task) => this.#startNested(task, parent),
            maxMessageBytes,
          ),
      },
    });
  }

  /**
   * Starts a pool: spawns its workers and resolves once every one of them
   * serves; with a `discovery`, subscribes to it at the same time, and
   * with a `quorum`, resolves once that many workers, spawned and
   * discovered, are ready.
   *
   * @param options How many workers, their backpressure hook, limits, and
   * how they are launched; where to find workers it does not spawn.
   * @returns The running pool.
   * @throws {TypeError} when an option has the wrong type (named in the
   * message), or `backpressure` is a function.
   * @throws {RangeError} when a numeric option is out of range.
   * @throws {UnsupportedDenoVersion} when the running Deno is a release
   * known to break wool (2.9.4–2.9.6) and `allowKnownBadDeno` is not set;
   * nothing is spawned.
   * @throws {MissingPermission} when this process lacks a permission the
   * pool needs (named, with the flag to add), before anything is started.
   * @throws {PermissionNotInheritable} when `worker.permissions` is
   * `"inherit"` and this process holds a permission only in part.
   * @throws {WorkerStartError} when a worker cannot start; no process is
   * left running.
   * @throws {QuorumNotMet} when `quorum` workers were not ready within
   * `quorumTimeoutMs`; nothing is left running, and no connection open.
   */
  static async start(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const resolved = validatePoolOptions(options);
    const roster = new Roster();
    const stats = new StatsBook();
    const { members, sockets, secret } = await startMembers(
      resolved,
      roster,
      stats,
    );
    const pool = new WorkerPool(
      roster,
      members,
      sockets,
      stats,
      resolved.loadBalancer,
      { ms: resolved.admissionWaitMs, key: resolved.admissionWaitKey },
      resolved.maxMessageBytes,
      resolved.maxCallDepth,
    );
    SECRETS.set(pool, secret);
    return pool;
  }

  /**
   * The live workers: `{ id, address, pid }` each, and a discovered
   * worker's `tags`.
   */
  get workers(): readonly WorkerInfo[] {
    return this.#roster.infos();
  }

  /** Where the pool is in its life. */
  get state(): PoolState {
    return this.#state;
  }

  /**
   * Calls `listener` whenever a worker joins or leaves the pool; returns a
   * function that stops the calls.
   */
  subscribe(listener: (change: RosterChange) => void): () => void;
  /**
   * Calls `listener` whenever a worker joins or leaves the pool, and, with
   * `{ reports: true }`, also when a discovered worker cannot be admitted
   * or the discovery fails (see {@linkcode PoolEvent}); returns a function
   * that stops the calls.
   */
  subscribe(
    listener: (event: PoolEvent) => void,
    options: SubscribeOptions,
  ): () => void;
  subscribe(
    listener: ((change: RosterChange) => void) | ((event: PoolEvent) => void),
    options?: SubscribeOptions,
  ): () => void {
    return validateSubscribeOptions(options)
      ? this.#roster.subscribe(listener as (event: PoolEvent) => void, true)
      : this.#roster.subscribe(listener as (change: RosterChange) => void);
  }

  /**
   * Calls an export of a task module on some worker.
   *
   * @typeParam R The routine's return type.
   * @param call The module, export, arguments and options of the call.
   * @returns A {@linkcode RemoteCall}: await it (coroutine) or iterate it
   * (generator).
   */
  dispatch<R = unknown>(call: DispatchCall): RemoteCall<R> {
    const label = describeDispatchCall(call);
    let frame: TaskFrame;
    let view: Task;
    try {
      if (this.#state !== "running") throw new PoolClosed();
      ({ frame, view } = this.#taskOf(validateDispatchCall(call)));
    } catch (error) {
      return failedCall<R>(error, label);
    }
    return startedCall<R>(
      this.#startRun(frame, view, call.signal, call.timeoutMs),
      label,
    );
  }

  /** Starts a call of `frame`, counted among the calls in flight until it ends. */
  #startRun(
    frame: TaskFrame,
    view: Task,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): CallRun {
    const key = this.#nextRun++;
    const telemetry = startCallTelemetry(view, frame);
    const run = new CallRun({
      signal,
      timeoutMs,
      maxMessageBytes: this.#maxMessageBytes,
      telemetry,
      dispatch: (cancel) =>
        this.#dispatcher.dispatch(frame, view, cancel, telemetry),
      onEnd: () => {
        this.#runs.delete(key);
        if (this.#runs.size === 0) this.#onRunsEmpty?.();
      },
    });
    if (!run.ended) this.#runs.set(key, run);
    return run;
  }

  /**
   * Starts a nested call: the `task` a worker sent for the task `parent`
   * it runs. The pool names the child (its id, `caller` the parent's id,
   * depth the parent's + 1) and takes from the worker's frame only what
   * the task asked for: module, export, arguments, tag, budget, context
   * variables and trace context.
   *
   * @throws {CallDepthExceeded} when the child would be deeper than
   * `maxCallDepth`.
   * @throws {PoolClosed} once the pool is closing.
   * @throws {TypeError} for a module or export that is not a specifier or
   * a name; {TaskLoadError} for arguments that cannot be decoded.
   */
  #startNested(task: TaskFrame, parent: TaskFrame): CallRun {
    if (this.#state !== "running") throw new PoolClosed();
    const depth = (parent.depth ?? 0) + 1;
    if (depth > this.#maxCallDepth) {
      throw new CallDepthExceeded(depth, this.#maxCallDepth);
    }
    const module = task.module ?? "";
    const exportName = task.export ?? "";
    validateModule(module, "make a nested call");
    if (exportName === "") {
      throw new TypeError(
        `Cannot make a nested call of "${module}": the export name is empty`,
      );
    }
    const bytes = task.args ?? new Uint8Array();
    let args: unknown[];
    try {
      args = decodeArgs(bytes);
    } catch (error) {
      throw new TaskLoadError(module, exportName, describeErrorMessage(error), {
        cause: error,
      });
    }
    const budget = task.timeoutMs ?? 0;
    const timeoutMs = budget > 0 && budget <= MAX_TIMER_MS
      ? Math.ceil(budget)
      : undefined;
    const id = `${this.#idPrefix}-${this.#nextTask++}`;
    const tag = task.tag ?? "";
    const frame: TaskFrame = {
      protocolVersion: PROTOCOL_VERSION,
      id,
      module,
      export: exportName,
      args: bytes,
      tag,
      caller: parent.id,
      timeoutMs: timeoutMs ?? 0,
      context: task.context ?? {},
      traceparent: task.traceparent ?? "",
      tracestate: task.tracestate ?? "",
      depth,
    };
    const view: { -readonly [K in keyof Task]: Task[K] } = {
      id,
      module,
      export: exportName,
      args: Object.freeze(args),
      caller: parent.id,
      depth,
    };
    if (tag !== "") view.tag = tag;
    if (timeoutMs !== undefined) view.timeoutMs = timeoutMs;
    const context = decodeContext(task.context);
    if (context !== undefined) view.context = context;
    return this.#startRun(frame, Object.freeze(view), undefined, timeoutMs);
  }

  /**
   * A typed proxy over a task module: each export becomes a function that
   * dispatches it.
   *
   * @typeParam T The module's type: `typeof import("./tasks.ts")`.
   * @param module The module specifier, absolute: e.g.
   * `import.meta.resolve("./tasks.ts")`.
   * @param options What every call made through the proxy carries: a
   * `signal`, a `timeoutMs` budget, a `tag` for the workers' hooks.
   * @returns The proxy.
   * @throws {TypeError} / {RangeError} for a module or options of the wrong
   * type or range (a relative specifier included), as `dispatch()` would
   * reject them.
   */
  remote<T>(module: string | URL, options: RemoteOptions = {}): Remote<T> {
    return remoteOf<T>(this, module, options);
  }

  /** Admission accounting: per worker accepted/rejected, and waits. */
  stats(): PoolStats {
    return this.#stats.snapshot();
  }

  /**
   * Closes the pool: new calls reject with `PoolClosed`, in-flight calls
   * get `graceMs` to finish and are then cancelled (rejecting with
   * `PoolClosed`), and every worker process it spawned is stopped; the
   * connections to discovered workers are closed, and those workers keep
   * running (the pool never stops a worker it did not spawn). Resolves
   * when all that is done. Calling it again returns the same promise.
   *
   * @throws {TypeError} / {RangeError} for a bad `graceMs`.
   */
  close(options?: CloseOptions): Promise<void> {
    const graceMs = validateCloseOptions(options);
    this.#closed ??= this.#close(graceMs);
    return this.#closed;
  }

  /** Closes the pool with the default grace: `await using pool = …`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(graceMs: number): Promise<void> {
    this.#state = "closing";
    if (this.#runs.size > 0) {
      const emptied = new Promise<void>((resolve) => {
        this.#onRunsEmpty = resolve;
      });
      await withTimeout(emptied, graceMs);
      const cancelled = new PoolClosed(
        `The worker pool closed before the task finished (graceMs ${graceMs})`,
      );
      for (const run of this.#runs.values()) run.abort(cancelled);
    }
    await this.#members.close();
    await this.#sockets?.remove();
    this.#state = "closed";
  }

  #taskOf(call: DispatchCall): { frame: TaskFrame; view: Task } {
    const module = call.module instanceof URL ? call.module.href : call.module;
    const args = call.args ?? [];
    // The caller's context variables as they are now, at call time: every
    // attempt sends this record, however late a retry comes.
    const snapshot = captureContext();
    const context = encodeContext(snapshot);
    const bytes = encodeArgs(args);
    if (bytes.length > this.#maxMessageBytes) {
      throw new MessageTooLarge(
        `arguments of "${call.export}"`,
        bytes.length,
        this.#maxMessageBytes,
      );
    }
    const fieldsLimit = this.#maxMessageBytes + TASK_FIELDS_ROOM_BYTES;
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: check the fields'
    // encoded size only when they might not fit.
    const chars = module.length + call.export.length + (call.tag?.length ?? 0);
    const payload = bytes.length + contextBytes(context);
    if (payload + 3 * chars > fieldsLimit) {
      checkTaskFrameSize(
        payload,
        [module, call.export, call.tag ?? ""],
        fieldsLimit,
        call.export,
      );
    }
    const id = `${this.#idPrefix}-${this.#nextTask++}`;
    const caller = currentTaskContext()?.id;
    // Every field, in one shape: the encoder leaves the defaults out.
    const frame: TaskFrame = {
      protocolVersion: PROTOCOL_VERSION,
      id,
      module,
      export: call.export,
      args: bytes,
      tag: call.tag ?? "",
      caller: caller ?? "",
      timeoutMs: call.timeoutMs ?? 0,
      context,
      traceparent: "",
      tracestate: "",
      depth: 0,
    };
    // The optional fields only when given, as a hook sees them.
    const view: { -readonly [K in keyof Task]: Task[K] } = {
      id,
      module,
      export: call.export,
      args: Object.freeze(args.slice()),
    };
    if (call.tag !== undefined) view.tag = call.tag;
    if (caller !== undefined) view.caller = caller;
    if (call.timeoutMs !== undefined) view.timeoutMs = call.timeoutMs;
    if (Object.keys(snapshot).length > 0) view.context = snapshot;
    return { frame, view: Object.freeze(view) };
  }
}

/**
 * Checks that a task frame, its arguments (`argsBytes`) and its text
 * `fields` encoded as UTF-8, fits in `limit` bytes.
 *
 * @throws {MessageTooLarge} naming the frame's size and the limit.
 */
function checkTaskFrameSize(
  argsBytes: number,
  fields: readonly string[],
  limit: number,
  exportName: string,
): void {
  const size = fields.reduce(
    (sum, field) => sum + encoder.encode(field).length,
    argsBytes,
  );
  if (size > limit) {
    throw new MessageTooLarge(`task frame of "${exportName}"`, size, limit);
  }
}
