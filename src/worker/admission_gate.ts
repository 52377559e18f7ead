/**
 * Atomic admission: deciding on a task and entering it in the docket are
 * one step.
 *
 * Decisions are taken one at a time. A synchronous hook decides and the
 * task enters the docket in the same turn of the event loop; an
 * asynchronous hook holds the gate until it answers (or times out), so the
 * next decision sees the docket as this one left it. A hook that rejects
 * at `activeTaskCount >= N` therefore never lets more than N tasks in,
 * however many dispatches arrive at once and however slow the hook is.
 * Wool runs async hooks concurrently and can over-admit.
 *
 * **Newest first under pressure.** Normally each task is decided as it
 * arrives, in arrival order. Once the hook has rejected a task, and for
 * {@linkcode PRESSURE_MS} after the arrival of the latest task it
 * rejected — while the worker also takes tasks in (one runs, one was
 * admitted within that time, or a slot has just freed; a hook that
 * rejects everything delays nothing) — the worker is under pressure: the
 * tasks that arrive in one turn of the event loop wait for the end of
 * that turn and are decided together, newest first — as are tasks that
 * queued behind an asynchronous hook or a held task. A worker busy with a
 * CPU-bound task reads its socket between tasks, so what it reads at once
 * arrived over a whole task's time: admitting the oldest adds that wait
 * to the latency of every task it admits, while the newest has barely
 * waited; the older ones are refused at once and their callers' balancers
 * try other workers. This is the adaptive LIFO of Facebook's "Fail at
 * scale" (2015): first in, first out while a worker keeps up, last in,
 * first out when it does not. In the overload bench (`bench/README.md`),
 * a one-slot worker at 5× and 10× its capacity kept an accepted p99 of
 * 10.2–12.6 ms where arrival order gave 13.3–16.6 ms.
 *
 * A hook that learns (an object with `settled`, see `hook_object.ts`) hears
 * from the gate, through {@linkcode AdmissionGate.settle}, once for each
 * task it admitted, when the task leaves the docket: the `ctx.task` it
 * decided on, how long the task waited for admission and ran, and how it
 * ended. A rejected task never settles. The gate keeps a record per
 * admitted task only for such a hook.
 *
 * @module
 */
import { acceptAll, admit, rejectStopping } from "../backpressure/admission.ts";
import { createBackpressureContext } from "../backpressure/context.ts";
import {
  type NormalizedHook,
  normalizeHook,
  type SettledTask,
  type TaskOutcome,
} from "../backpressure/hook_object.ts";
import type {
  Admission,
  BackpressureHook,
  Task,
} from "../backpressure/types.ts";
import { setImmediate } from "node:timers";
import type { TaskTelemetry } from "../telemetry/task_telemetry_types.ts";
import type { Docket, DocketEntry } from "./docket.ts";

/** What the gate needs to know of the worker. */
export interface AdmissionGateOptions {
  /** The worker's hook: normalized, or a plain function (tests). */
  readonly hook: NormalizedHook | BackpressureHook | null;
  /** Milliseconds a hook gets to answer before it counts as a rejection. */
  readonly timeoutMs: number;
  readonly docket: Docket;
  /** The clock pressure is timed by, in milliseconds (`performance.now()`). */
  readonly now?: () => number;
}

/**
 * How long after the hook's latest rejection the worker is under pressure
 * and decides the tasks that arrive together newest first, in
 * milliseconds.
 */
export const PRESSURE_MS = 1_000;

interface Pending {
  readonly task: Task;
  readonly entry: DocketEntry;
  readonly receivedAt: number;
  readonly telemetry: TaskTelemetry | undefined;
  readonly resolve: (admission: Admission) => void;
}

/** An admitted task, as a learning hook will hear of it. */
interface Admitted {
  readonly task: Task;
  readonly receivedAt: number;
  readonly admittedAt: number;
}

/** How an admitted task ended, as its session tells the gate. */
export interface TaskEnd {
  readonly outcome: TaskOutcome;
  /** The routine returned a generator. */
  readonly generator: boolean;
}

/** Admits tasks into a docket through a backpressure hook, one at a time. */
export class AdmissionGate {
  readonly #hook: NormalizedHook | null;
  readonly #settled: ((task: SettledTask) => void) | null;
  readonly #timeoutMs: number;
  readonly #docket: Docket;
  readonly #now: () => number;
  /** When the latest task the hook rejected arrived (`#now()`). */
  #rejectedAt = Number.NEGATIVE_INFINITY;
  /** When the latest task the hook admitted arrived (`#now()`). */
  #admittedAt = Number.NEGATIVE_INFINITY;
  /** A task left the docket since the last decision: a slot freed. */
  #freed = false;
  /** The tasks admitted and not yet settled, for a hook with `settled`. */
  readonly #admitted = new Map<DocketEntry, Admitted>();
  readonly #queue: Pending[] = [];
  #busy = false;
  #stopping = false;

  constructor(options: AdmissionGateOptions) {
    const hook = typeof options.hook === "function"
      ? normalizeHook(options.hook)
      : options.hook;
    this.#hook = hook;
    this.#settled = hook?.settled ?? null;
    this.#timeoutMs = options.timeoutMs;
    this.#docket = options.docket;
    this.#now = options.now ?? (() => performance.now());
  }

  /** From now on every task is rejected with cause `"stopping"`. */
  stop(): void {
    this.#stopping = true;
  }

  /**
   * Decides on `task`; when it is accepted, `entry` is in the docket by the
   * time the answer is seen.
   *
   * @param receivedAt When the worker read the task's Task frame (on the
   * gate's clock, `performance.now()`), for the hook's `queuedMs`.
   * @param telemetry The task's telemetry: told when the hook starts, so
   * its time excludes the wait for earlier decisions.
   */
  admit(
    task: Task,
    entry: DocketEntry,
    receivedAt: number = this.#now(),
    telemetry?: TaskTelemetry,
  ): Admission | Promise<Admission> {
    if (this.#busy || this.#pressured(receivedAt)) {
      return new Promise((resolve) => {
        this.#queue.push({ task, entry, receivedAt, telemetry, resolve });
        if (this.#busy) return;
        // Under pressure: decided with whatever else arrives this turn.
        this.#busy = true;
        setImmediate(() => void this.#drainQueue());
      });
    }
    const decision = this.#decide(task, entry, receivedAt, telemetry);
    if (!(decision instanceof Promise)) return decision;
    this.#busy = true;
    return decision.finally(() => {
      void this.#drainQueue();
    });
  }

  /**
   * The task of `entry` has left the docket: a slot freed (which keeps a
   * worker under pressure, see the module doc), and a hook with `settled`
   * hears how it ended, once — not for an entry the gate did not admit, or
   * one already settled.
   */
  settle(entry: DocketEntry, end: TaskEnd): void {
    this.#freed = true;
    if (this.#settled === null) return;
    const admitted = this.#admitted.get(entry);
    if (admitted === undefined) return;
    this.#admitted.delete(entry);
    this.#settled(Object.freeze({
      task: admitted.task,
      queuedMs: admitted.admittedAt - admitted.receivedAt,
      runMs: performance.now() - admitted.admittedAt,
      outcome: end.outcome,
      generator: end.generator,
    }));
  }

  #decide(
    task: Task,
    entry: DocketEntry,
    receivedAt: number,
    telemetry: TaskTelemetry | undefined,
  ): Admission | Promise<Admission> {
    if (this.#stopping) return rejectStopping();
    if (this.#hook === null) return this.#enter(acceptAll(), entry);
    this.#freed = false;
    telemetry?.hookStarted();
    const context = createBackpressureContext(this.#docket.size, task);
    const admission = admit(this.#hook.admit, context, this.#timeoutMs);
    if (admission instanceof Promise) {
      return admission.then((answer) =>
        this.#enter(answer, entry, context.task, receivedAt)
      );
    }
    return this.#enter(admission, entry, context.task, receivedAt);
  }

  #enter(
    admission: Admission,
    entry: DocketEntry,
    task?: Task,
    receivedAt = 0,
  ): Admission {
    if (!admission.accepted) {
      if (admission.cause !== "stopping") this.#rejectedAt = receivedAt;
      return admission;
    }
    this.#docket.add(entry);
    this.#admittedAt = receivedAt;
    if (this.#settled !== null && task !== undefined) {
      this.#admitted.set(entry, {
        task,
        receivedAt,
        admittedAt: performance.now(),
      });
    }
    return admission;
  }

  /**
   * Under pressure: the hook rejected a task lately, and the worker is
   * taking tasks in too — one runs, one was admitted lately, or a slot has
   * just freed — so a slot may go to one of the tasks waiting. A hook
   * that rejects everything leaves no slot to give: its decisions are not
   * delayed.
   */
  #pressured(now: number): boolean {
    return now - this.#rejectedAt < PRESSURE_MS &&
      (this.#docket.size > 0 || this.#freed ||
        now - this.#admittedAt < PRESSURE_MS);
  }

  /** Decides the waiting tasks: newest first under pressure, else oldest. */
  async #drainQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      // Timed by the newest arrival: no clock read per decision.
      const { task, entry, receivedAt, telemetry, resolve } =
        this.#pressured(this.#queue.at(-1)!.receivedAt)
          ? this.#queue.pop()!
          : this.#queue.shift()!;
      const decision = this.#decide(task, entry, receivedAt, telemetry);
      resolve(decision instanceof Promise ? await decision : decision);
    }
    this.#busy = false;
  }
}
