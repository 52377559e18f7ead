import type { Task } from "../backpressure/types.ts";
import type {
  AttemptOutcome,
  LoadBalancer,
  RosterView,
  WorkerId,
} from "./load_balancer.ts";

/**
 * Tries workers in turn from a rotating index: each dispatch starts one
 * worker further on, and offers every live worker once.
 *
 * @example Passing it explicitly (it is the default)
 * ```ts
 * import { RoundRobinLoadBalancer, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({
 *   spawn: 1,
 *   loadBalancer: new RoundRobinLoadBalancer(),
 * });
 * assert.equal(pool.workers.length, 1);
 * ```
 */
export class RoundRobinLoadBalancer implements LoadBalancer {
  #cursor = 0;

  /** Every live worker once, starting one further than the last call. */
  *candidates(
    _task: Task,
    view: RosterView,
  ): Generator<WorkerId, void, AttemptOutcome | undefined> {
    const ids = view.ids;
    const count = ids.length;
    if (count === 0) return;
    const start = this.#cursor % count;
    this.#cursor = (start + 1) % count;
    for (let offset = 0; offset < count; offset++) {
      const id = ids[(start + offset) % count];
      if (view.get(id) !== undefined) yield id;
    }
  }
}
