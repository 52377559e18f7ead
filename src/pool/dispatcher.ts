/**
 * One dispatch: ask the load balancer for candidates, open a task channel
 * on each in turn, and classify what it answers.
 *
 * - Ack: accepted; the call gets a {@linkcode Lease} on the worker (its
 *   channel and connection permit), whose release wakes the calls waiting
 *   for capacity.
 * - Nack: the task cannot run anywhere (unknown routine, bad arguments):
 *   its error is the call's error, and the worker stays.
 * - `RESOURCE_EXHAUSTED` marked `wool-rejected: backpressure`, or
 *   `UNAVAILABLE`, `DEADLINE_EXCEEDED`: transient; try the next worker.
 * - `RESOURCE_EXHAUSTED` without the mark (grpc's own message-size limit):
 *   not overload; the call fails with the real cause, no retry.
 * - `UNAUTHENTICATED`: the worker refused the pool's credentials, so it is
 *   not serving this pool (a misconfiguration, not overload): it leaves the
 *   pool (reason `"unauthenticated"`), and the next worker is tried, since
 *   nothing was delivered.
 * - Anything else: evict the worker and try the next.
 * - The connection broke after the Task frame may have reached the worker:
 *   `WorkerCrashed`, never a retry, so no task runs twice.
 *
 * After one full cycle without an Ack: `NoWorkersAvailable`, or, with
 * `admissionWaitMs`, wait for capacity in arrival order (per key, with
 * `admissionWaitKey`) and cycle again.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import type { Task } from "../backpressure/types.ts";
import type { CallRelay, TaskChannel } from "../connection/task_channel.ts";
import {
  type AttemptCause,
  NoWorkersAvailable,
} from "../loadbalancer/errors.ts";
import type { LoadBalancer, WorkerId } from "../loadbalancer/load_balancer.ts";
import {
  type AttemptTelemetry,
  type CallTelemetry,
  NOOP_CALL_TELEMETRY,
} from "../telemetry/call_telemetry.ts";
import { EMPTY_TRACE_CARRIER } from "../telemetry/trace_carrier.ts";
import { decodeError } from "../wire/errors.ts";
import type { StatusFrame, TaskFrame } from "../wire/frames.ts";
import {
  classifyStatus,
  decodeRejection,
  isDeliveryUnknown,
  kindOfAck,
  type RejectionCause,
  Status,
  type StatusClass,
  statusFrame,
  statusName,
  transportLimitError,
} from "../wire/status.ts";
import { CapacityQueue } from "./capacity_queue.ts";
import { workerLost } from "./errors.ts";
import { Lease } from "./lease.ts";
import type { LeaveReason, Roster, WorkerEntry } from "./roster.ts";
import type { StatsBook } from "./stats.ts";

/** The narrow slice of the pool a dispatcher works with. */
export interface DispatcherOptions {
  readonly roster: Roster;
  readonly loadBalancer: LoadBalancer;
  readonly stats: StatsBook;
  /** Milliseconds to wait for capacity when every worker rejects. */
  readonly admissionWaitMs: number;
  /**
   * The key of a task's queue while it waits for capacity: calls of one
   * key wait in arrival order, keys take turns.
   *
   * @default {every task the same key}
   */
  readonly admissionWaitKey?: (task: Task) => string;
  /** Called when a worker failed in a way that removes it from the pool. */
  readonly evict: (id: WorkerId, cause: AttemptCause, reason: Removal) => void;
  /**
   * Called when a worker accepted a task (its Ack), e.g. to count its
   * tasks for recycling.
   *
   * @default {() => {}}
   */
  readonly accepted?: (id: WorkerId) => void;
  /**
   * Called when a worker refused a task at admission, with the cause it
   * named, e.g. to take a discovered worker that is stopping out.
   *
   * @default {() => {}}
   */
  readonly refused?: (id: WorkerId, cause: RejectionCause) => void;
  /**
   * Makes the handler of the nested calls a task makes over its channel,
   * at the first of them; given to each channel before its Task frame is
   * sent. Without it, a task's Call frames reach the call's reader, which
   * refuses them.
   */
  readonly relay?: CallRelay;
}

/**
 * A call's cancellation as its dispatch sees it: the signal that ends its
 * waits (for a permit, for capacity) and its attempts, and a slot where the
 * dispatcher names the channel of the attempt in flight. Whoever aborts
 * `signal` cancels that channel too (`CallRun.abort`), so an attempt adds
 * no listener to the signal: adding and removing one per attempt cost the
 * caller ~2.5 µs of CPU per call.
 */
export interface DispatchCancel {
  /** Aborts when the call is cancelled, for any reason. */
  readonly signal: AbortSignal;
  /** The channel of the attempt in flight: set and cleared by the dispatcher. */
  attempt: TaskChannel | undefined;
}

/** Why the dispatcher removes a worker. */
export type Removal = Extract<LeaveReason, "evicted" | "unauthenticated">;

/** Whether, and why, a worker leaves the pool after each class of status. */
const REMOVAL: Readonly<Record<StatusClass, Removal | undefined>> = {
  transient: undefined,
  evict: "evicted",
  unauthenticated: "unauthenticated",
};

/** A worker that did not take the task: why, and whether and why it leaves. */
interface Declined {
  readonly cause: AttemptCause;
  readonly remove: Removal | undefined;
}

/** Finds a worker that accepts each task. */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #waiting = new CapacityQueue();
  /** Every lease's `onRelease`: a freed slot wakes the call waiting for capacity. */
  readonly #notifyFreed = () => this.#waiting.notifyFreed();

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /**
   * Finds a worker that accepts `frame`, and leases it to the call.
   *
   * @throws {NoWorkersAvailable} when none accepts (within `admissionWaitMs`).
   * @throws the task's load error, when a worker nacks it.
   * @param telemetry The call's telemetry: each worker tried is an attempt
   * of it, and each attempt's Task frame carries that attempt's trace
   * context. By default, none.
   * @param cancel The call's cancellation; none for a call that cannot be
   * cancelled.
   * @throws `cancel.signal.reason` when it aborts first.
   */
  async dispatch(
    frame: TaskFrame,
    view: Task,
    cancel: DispatchCancel | undefined,
    telemetry: CallTelemetry = NOOP_CALL_TELEMETRY,
  ): Promise<Lease> {
    const waitMs = this.#options.admissionWaitMs;
    if (waitMs === 0) {
      const first = await this.#cycle(frame, view, cancel, telemetry);
      if (!Array.isArray(first)) return first;
      throw this.#exhausted(first);
    }
    // A call does not pass the calls of its key that wait: it tries at
    // once only while none does.
    const key = this.#options.admissionWaitKey?.(view);
    if (!this.#waiting.waiting(key)) {
      const first = await this.#cycle(frame, view, cancel, telemetry);
      if (!Array.isArray(first)) return first;
    }
    return await this.#waitForCapacity(
      frame,
      view,
      key,
      cancel,
      waitMs,
      telemetry,
    );
  }

  async #waitForCapacity(
    frame: TaskFrame,
    view: Task,
    key: string | undefined,
    cancel: DispatchCancel | undefined,
    waitMs: number,
    telemetry: CallTelemetry,
  ): Promise<Lease> {
    const deadline = performance.now() + waitMs;
    const ticket = this.#waiting.join(key);
    this.#options.stats.waited();
    try {
      for (let attempt = 0;; attempt++) {
        const mayTry = await this.#waiting.wait(
          ticket,
          attempt,
          deadline,
          cancel?.signal,
        );
        const outcome = await this.#cycle(frame, view, cancel, telemetry);
        if (!Array.isArray(outcome)) return outcome;
        if (!mayTry || performance.now() >= deadline) {
          throw this.#exhausted(outcome);
        }
      }
    } finally {
      this.#waiting.leave(ticket);
    }
  }

  #exhausted(causes: AttemptCause[]): NoWorkersAvailable {
    this.#options.stats.exhausted();
    return new NoWorkersAvailable(causes);
  }

  /** One full cycle over the candidates: an acceptance, or why each declined. */
  async #cycle(
    frame: TaskFrame,
    view: Task,
    cancel: DispatchCancel | undefined,
    telemetry: CallTelemetry,
  ): Promise<Lease | AttemptCause[]> {
    const { roster, loadBalancer } = this.#options;
    const candidates = loadBalancer.candidates(view, roster.view);
    // Allocated at the first decline, and the set of ids offered only at
    // the second id: most cycles end at their first worker.
    let causes: AttemptCause[] | undefined;
    let first: WorkerId | undefined;
    let tried: Set<WorkerId> | undefined;
    let step = candidates.next();
    try {
      while (!step.done) {
        const id = step.value;
        // An id offered twice, live or not, means the cycle is over: a
        // balancer that repeats a departed id would otherwise spin here.
        if (first === undefined) first = id;
        else if (id === first || tried?.has(id)) break;
        else (tried ??= new Set()).add(id);
        const worker = roster.get(id);
        if (!worker) {
          step = candidates.next();
          continue;
        }
        const attempt = await this.#attempt(
          worker,
          frame,
          cancel,
          telemetry.startAttempt(worker.info.address),
        );
        if (attempt instanceof Lease) return attempt;
        (causes ??= []).push(attempt.cause);
        if (attempt.remove) {
          this.#options.evict(id, attempt.cause, attempt.remove);
        }
        step = candidates.next({
          workerId: id,
          code: attempt.cause.code,
          evicted: attempt.remove !== undefined,
        });
      }
    } finally {
      candidates.return?.();
    }
    return causes ?? [];
  }

  async #attempt(
    worker: WorkerEntry,
    frame: TaskFrame,
    cancel: DispatchCancel | undefined,
    telemetry: AttemptTelemetry,
  ): Promise<Lease | Declined> {
    const { connection, info } = worker;
    let permit;
    try {
      permit = connection.permits.tryAcquire() ??
        await connection.permits.acquire(cancel?.signal);
    } catch (error) {
      telemetry.failed(error);
      throw error;
    }
    telemetry.permitAcquired();
    let channel: TaskChannel;
    try {
      channel = connection.open();
    } catch (error) {
      // The connection closed under us (its worker just left the pool):
      // nothing was sent, so the next worker may take the task.
      permit.release();
      const cause = {
        address: info.address,
        code: statusName(Status.UNAVAILABLE),
        message: describeErrorMessage(error),
      };
      telemetry.rejected(cause);
      return { cause, remove: undefined };
    }
    const relay = this.#options.relay;
    if (relay) channel.relayCalls?.(relay, frame);
    if (cancel) cancel.attempt = channel;
    let settled = false;
    try {
      channel.send({ frame: "task", task: withTraceContext(frame, telemetry) });
      const event = await channel.receive();
      if (cancel?.signal.aborted) throw cancel.signal.reason;
      if (event.kind === "frame" && event.frame.frame === "ack") {
        this.#options.stats.accepted(info.id);
        this.#options.accepted?.(info.id);
        settled = true;
        telemetry.accepted();
        return new Lease({
          worker,
          channel,
          generator: kindOfAck(event.frame.ack) === "generator",
          permit,
          onRelease: this.#notifyFreed,
        });
      }
      if (event.kind === "frame" && event.frame.frame === "nack") {
        throw decodeError(event.frame.nack.error);
      }
      const status: StatusFrame = event.kind === "end"
        ? event.status
        : statusFrame(
          Status.INTERNAL,
          `The worker answered a Task frame with "${event.frame.frame}" before any Ack`,
        );
      if (isDeliveryUnknown(status)) {
        // The task frame may have reached the worker and run: trying
        // another worker could run it twice. At most once wins.
        throw await workerLost(worker, status);
      }
      const declined = this.#declined(worker, status);
      telemetry.rejected(declined.cause);
      return declined;
    } catch (error) {
      telemetry.failed(error);
      throw error;
    } finally {
      if (cancel) cancel.attempt = undefined;
      if (!settled) {
        channel.cancel();
        permit.release();
      }
    }
  }

  #declined(worker: WorkerEntry, status: StatusFrame): Declined {
    const { info } = worker;
    const notOverload = transportLimitError(status);
    if (notOverload) throw notOverload;
    const rejection = decodeRejection(status);
    if (rejection) {
      this.#options.stats.rejected(info.id, rejection.cause);
      this.#options.refused?.(info.id, rejection.cause);
    }
    const code = status.code === Status.OK ? Status.INTERNAL : status.code;
    const classified = classifyStatus(code);
    const message = classified === "unauthenticated"
      ? `Worker ${info.id} refused the pool's credentials (UNAUTHENTICATED): it does not serve this pool, a misconfiguration rather than overload; it left the pool, and the task was not delivered`
      : rejection?.message ?? (status.details || statusName(code));
    return {
      cause: { address: info.address, code: statusName(code), message },
      remove: REMOVAL[classified],
    };
  }
}

/**
 * The Task frame an attempt sends: `frame` itself when the attempt is not
 * traced (no allocation), else a copy carrying the attempt span's W3C trace
 * context, so the worker's task span is that attempt's child.
 */
function withTraceContext(
  frame: TaskFrame,
  telemetry: AttemptTelemetry,
): TaskFrame {
  const carrier = telemetry.traceContext();
  if (carrier === EMPTY_TRACE_CARRIER) return frame;
  return {
    ...frame,
    traceparent: carrier.traceparent ?? "",
    tracestate: carrier.tracestate ?? "",
  };
}
