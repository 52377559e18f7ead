/**
 * A hook that reads the caller's context variables: it rejects a task
 * whose `tenant` is `"blocked"`, and otherwise accepts. Its reason reports
 * what the hook saw, so the test can check the record is frozen.
 *
 * @module
 */
import type { BackpressureContext } from "../../../src/backpressure/types.ts";

/** Rejects tenant "blocked", naming what `ctx.task.context` held. */
export default function contextTenant(ctx: BackpressureContext) {
  const context = ctx.task.context;
  if (context?.tenant !== "blocked") return false;
  return {
    reject: true,
    reason: `tenant ${context.tenant} (frozen: ${
      Object.isFrozen(context)
    }, variables: ${Object.keys(context).sort().join(",")})`,
  };
}
