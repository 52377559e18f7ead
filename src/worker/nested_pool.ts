/**
 * The pool a running task sees through `currentPool()`: it builds each
 * call's Task frame in the worker (arguments, the task's context
 * variables, its id as the caller, its depth + 1) and sends it back to the
 * pool over the task's own conversation (`nested_calls.ts`). The pool
 * gives the call its id, checks its depth, and dispatches it like any
 * other; the handle the task gets is the pool's own `RemoteCall`.
 *
 * @module
 */
import { injectTraceContext } from "./worker_telemetry.ts";
import {
  describeDispatchCall,
  type DispatchCall,
  type RemoteOptions,
  validateDispatchCall,
} from "../call/dispatch_call.ts";
import { type Remote, remoteOf } from "../call/remote.ts";
import {
  failedCall,
  type RemoteCall,
  startedCall,
} from "../call/remote_call.ts";
import { captureContext } from "../task/context_var.ts";
import type { TaskPool } from "../task/task_pool.ts";
import type { TaskFrame } from "../wire/frames.ts";
import { MessageTooLarge } from "../wire/message_too_large.ts";
import { PROTOCOL_VERSION } from "../wire/protocol_version.ts";
import { encodeArgs } from "../wire/values.ts";
import { encodeContext } from "../wire/context_values.ts";
import type { NestedCalls } from "./nested_calls.ts";

/** The task that makes the calls. */
export interface ParentTask {
  /** Its id: each call's `caller`. */
  readonly id: string;
  /** Its nesting depth: each call's is one more. */
  readonly depth: number;
  /** Its signal: aborting it cancels every call it made. */
  readonly signal: AbortSignal;
}

/** A task's view of the pool it was dispatched from. */
export class NestedPool implements TaskPool {
  readonly #calls: NestedCalls;
  readonly #parent: ParentTask;
  readonly #maxMessageBytes: number;

  /**
   * @param calls The task's nested calls.
   * @param parent The task.
   * @param maxMessageBytes Largest arguments, in bytes, a call sends.
   */
  constructor(
    calls: NestedCalls,
    parent: ParentTask,
    maxMessageBytes: number,
  ) {
    this.#calls = calls;
    this.#parent = parent;
    this.#maxMessageBytes = maxMessageBytes;
  }

  dispatch<R = unknown>(call: DispatchCall): RemoteCall<R> {
    const label = describeDispatchCall(call);
    let frame: TaskFrame;
    try {
      frame = this.#frameOf(validateDispatchCall(call));
    } catch (error) {
      return failedCall<R>(error, label);
    }
    const signal = call.signal
      ? AbortSignal.any([this.#parent.signal, call.signal])
      : this.#parent.signal;
    return startedCall<R>(this.#calls.open(frame, signal), label);
  }

  remote<T>(module: string | URL, options: RemoteOptions = {}): Remote<T> {
    return remoteOf<T>(this, module, options);
  }

  #frameOf(call: DispatchCall): TaskFrame {
    const module = call.module instanceof URL ? call.module.href : call.module;
    const args = encodeArgs(call.args ?? []);
    if (args.length > this.#maxMessageBytes) {
      throw new MessageTooLarge(
        `arguments of "${call.export}"`,
        args.length,
        this.#maxMessageBytes,
      );
    }
    const carrier = injectTraceContext();
    return {
      protocolVersion: PROTOCOL_VERSION,
      id: "",
      module,
      export: call.export,
      args,
      tag: call.tag ?? "",
      caller: this.#parent.id,
      timeoutMs: call.timeoutMs ?? 0,
      context: encodeContext(captureContext()),
      // The span active in the task (its task span, or one the task code
      // started), so the pool's span of this call is its child.
      traceparent: carrier.traceparent ?? "",
      tracestate: carrier.tracestate ?? "",
      depth: this.#parent.depth + 1,
    };
  }
}
