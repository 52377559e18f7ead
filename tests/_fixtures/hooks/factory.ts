/** Hook factories: one good, one that throws, one that returns no function. */
import type {
  BackpressureHook,
  BackpressureHookFactory,
} from "../../../src/backpressure/types.ts";

/** Rejects at `limit` active tasks. */
export const capAt: BackpressureHookFactory<{ limit: number }> = function capAt(
  { limit },
): BackpressureHook {
  return function capAtHook(ctx) {
    return ctx.activeTaskCount >= limit
      ? { reject: true, reason: `cap ${limit}` }
      : false;
  };
};

/** Throws when called. */
export function throwingFactory(): BackpressureHook {
  throw new Error("bad options");
}

/** Returns a number, not a hook. */
export function badFactory(): unknown {
  return 42;
}

/** Returns nothing. */
export function voidFactory(): void {}
