/**
 * A custom load balancer: calls with the same `tag` go to the same worker
 * (for warm caches, or per-tenant state), falling back to round robin when
 * that worker declines or leaves. It orders candidates only; the pool's
 * dispatcher still classifies failures, evicts and retries.
 *
 *     deno run -A examples/custom_load_balancer.ts
 *
 * @module
 */
import {
  type AttemptOutcome,
  type LoadBalancer,
  type RosterView,
  RoundRobinLoadBalancer,
  type Task,
  type WorkerId,
  WorkerPool,
} from "@wool/core";

/**
 * Sends each tag to the worker that last took it ("sticky by tag"); every
 * other worker follows, in round-robin order, and untagged calls simply
 * rotate. When a worker other than the tag's home accepts, it becomes the
 * new home.
 */
export class TagAffinityLoadBalancer implements LoadBalancer {
  readonly #homes = new Map<string, WorkerId>();
  readonly #rotation = new RoundRobinLoadBalancer();

  /** The worker each tag is sticky to, for reporting. */
  homes(): ReadonlyMap<string, WorkerId> {
    return new Map(this.#homes);
  }

  /** The tag's home first (when live), then every other live worker. */
  *candidates(
    task: Task,
    view: RosterView,
  ): Generator<WorkerId, void, AttemptOutcome | undefined> {
    const tag = task.tag;
    const home = tag === undefined ? undefined : this.#homes.get(tag);
    // The id offered last, until an outcome says it declined: when the
    // dispatcher calls return() instead, the call ended at that worker.
    let offered: WorkerId | undefined;
    try {
      if (home !== undefined && view.get(home) !== undefined) {
        offered = home;
        const outcome = yield home;
        offered = undefined;
        if (outcome?.evicted) this.#homes.delete(tag!);
      }
      // The rotation is consulted only when the home did not take the
      // call, so sticky calls do not skew it.
      for (const id of this.#rotation.candidates(task, view)) {
        if (id === home) continue;
        offered = id;
        yield id;
        offered = undefined;
      }
    } finally {
      if (offered !== undefined && tag !== undefined) {
        this.#homes.set(tag, offered);
      }
    }
  }
}

if (import.meta.main) {
  const balancer = new TagAffinityLoadBalancer();
  await using pool = await WorkerPool.start({
    spawn: 3,
    loadBalancer: balancer,
  });
  const names = new Map(pool.workers.map((w) => [w.pid, w.id]));
  const module = import.meta.resolve("./tasks.ts");

  const tags = ["alice", "bob", "alice", undefined, "carol", "bob", undefined];
  for (const tag of tags) {
    const home = tag === undefined ? undefined : balancer.homes().get(tag);
    const answer = await pool.dispatch<string>({
      module,
      export: "work",
      args: [0, tag ?? "untagged"],
      tag,
    });
    const pid = Number(answer.split(" ").at(-1));
    const worker = names.get(pid);
    const how = tag === undefined
      ? "rotation"
      : home === worker
      ? "sticky: its home"
      : "rotation, now its home";
    console.log(`${(tag ?? "(no tag)").padEnd(8)} -> ${worker} (${how})`);
  }
  console.log(
    "homes:",
    [...balancer.homes()].map(([tag, id]) => `${tag}=${id}`).join(", "),
  );
}
