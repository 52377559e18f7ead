/**
 * The load balancer of the telemetry tests: tries the workers in the
 * pool's order, so which worker rejects and which accepts is known; a task
 * tagged `to:<address>` goes to that worker only.
 *
 * @module
 */
import type { LoadBalancer, RosterView, Task, WorkerId } from "../../../mod.ts";

/** Tries the workers in order; `to:<address>` picks one. */
export class InOrder implements LoadBalancer {
  *candidates(task: Task, view: RosterView): Generator<WorkerId, void> {
    for (const id of view.ids) {
      const address = view.get(id)?.address;
      if (task.tag?.startsWith("to:") && task.tag !== `to:${address}`) {
        continue;
      }
      yield id;
    }
  }
}
