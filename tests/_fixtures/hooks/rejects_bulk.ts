/** A hook that rejects every task tagged "bulk", giving that as its reason. */
import type { BackpressureContext, Verdict } from "../../../mod.ts";

export default function rejectsBulk(ctx: BackpressureContext): Verdict {
  return ctx.task.tag === "bulk" ? { reject: true, reason: "bulk" } : false;
}
