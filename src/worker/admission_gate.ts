/**
 * Atomic admission: deciding on a task and entering it in the docket are
 * one step.
 *
 * Decisions are taken one at a time, in arrival order. A synchronous hook
 * decides and the task enters the docket in the same turn of the event
 * loop; an asynchronous hook holds the gate until it answers (or times
 * out), so the next decision sees the docket as this one left it. A hook
 * that rejects at `activeTaskCount >= N` therefore never lets more than N
 * tasks in, however many dispatches arrive at once and however slow the
 * hook is. Wool runs async hooks concurrently and can over-admit.
 *
 * @module
 */
import { acceptAll, admit, rejectStopping } from "../backpressure/admission.ts";
import { createBackpressureContext } from "../backpressure/context.ts";
import type {
  Admission,
  BackpressureHook,
  Task,
} from "../backpressure/types.ts";
import type { Docket, DocketEntry } from "./docket.ts";

/** What the gate needs to know of the worker. */
export interface AdmissionGateOptions {
  readonly hook: BackpressureHook | null;
  /** Milliseconds a hook gets to answer before it counts as a rejection. */
  readonly timeoutMs: number;
  readonly docket: Docket;
}

interface Pending {
  readonly task: Task;
  readonly entry: DocketEntry;
  readonly resolve: (admission: Admission) => void;
}

/** Admits tasks into a docket through a backpressure hook, one at a time. */
export class AdmissionGate {
  readonly #hook: BackpressureHook | null;
  readonly #timeoutMs: number;
  readonly #docket: Docket;
  readonly #queue: Pending[] = [];
  #busy = false;
  #stopping = false;

  constructor(options: AdmissionGateOptions) {
    this.#hook = options.hook;
    this.#timeoutMs = options.timeoutMs;
    this.#docket = options.docket;
  }

  /** From now on every task is rejected with cause `"stopping"`. */
  stop(): void {
    this.#stopping = true;
  }

  /**
   * Decides on `task`; when it is accepted, `entry` is in the docket by the
   * time the answer is seen.
   */
  admit(task: Task, entry: DocketEntry): Admission | Promise<Admission> {
    if (this.#busy) {
      return new Promise((resolve) =>
        this.#queue.push({ task, entry, resolve })
      );
    }
    const decision = this.#decide(task, entry);
    if (!(decision instanceof Promise)) return decision;
    this.#busy = true;
    return decision.finally(() => {
      void this.#drainQueue();
    });
  }

  #decide(task: Task, entry: DocketEntry): Admission | Promise<Admission> {
    if (this.#stopping) return rejectStopping();
    if (this.#hook === null) return this.#enter(acceptAll(), entry);
    const context = createBackpressureContext(this.#docket.size, task);
    const admission = admit(this.#hook, context, this.#timeoutMs);
    if (admission instanceof Promise) {
      return admission.then((answer) => this.#enter(answer, entry));
    }
    return this.#enter(admission, entry);
  }

  #enter(admission: Admission, entry: DocketEntry): Admission {
    if (admission.accepted) this.#docket.add(entry);
    return admission;
  }

  async #drainQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const { task, entry, resolve } = this.#queue.shift()!;
      const decision = this.#decide(task, entry);
      resolve(decision instanceof Promise ? await decision : decision);
    }
    this.#busy = false;
  }
}
