/**
 * `fairShare` keyed by the `tenant` context variable, which also tells the
 * test about each task it turns away: a connection to `notifyPort` for any
 * tenant's, and to `notifyKeyPort` for `notifyKey`'s, so a test knows a
 * call was refused without sleeping.
 *
 * @module
 */
import { fairShare } from "../../../src/backpressure/fair_share.ts";
import type { BackpressureHookObject } from "../../../src/backpressure/hook_object.ts";
import type {
  BackpressureContext,
  Verdict,
} from "../../../src/backpressure/types.ts";
import { ping } from "./_ping.ts";

/** Options of {@linkcode notifyingFairShare}. */
export interface NotifyingFairShareOptions {
  readonly limit: number;
  readonly notifyPort: number;
  readonly notifyKey: string;
  readonly notifyKeyPort: number;
}

/** Makes the hook: `fairShare({ key: "tenant", limit })`, telling refusals. */
export function notifyingFairShare(
  options: NotifyingFairShareOptions,
): BackpressureHookObject {
  const inner = fairShare({ key: "tenant", limit: options.limit });
  return {
    admit(ctx: BackpressureContext): Verdict {
      const verdict = inner.admit(ctx);
      if (typeof verdict === "object" && verdict.reject) {
        ping(options.notifyPort);
        if (ctx.task.context?.tenant === options.notifyKey) {
          ping(options.notifyKeyPort);
        }
      }
      return verdict;
    },
    settled: (done) => inner.settled(done),
  };
}
