/**
 * Task routines that read and set context variables, for the context
 * integration tests: each reads `tenant` (default `"none"`) in the worker.
 *
 * @module
 */
import { ContextVar } from "@wool/core/task";
import { waitAtGate } from "./tasks.ts";

/** The variable the tests set in the caller. */
export const tenant = new ContextVar<string>("tenant", { default: "none" });
/** A second variable, to show several travel together. */
export const region = new ContextVar<string>("region", { default: "none" });

/** The task's `tenant` and `region`, read after an `await`. */
export async function whoAmI(): Promise<{ tenant: string; region: string }> {
  await Promise.resolve();
  return { tenant: tenant.get(), region: region.get() };
}

/**
 * Sets `tenant` to `value`, then waits at the gate on `port`, then reads
 * it back: what a task sets it keeps across its own `await`s.
 */
export async function setThenWait(
  value: string,
  port: number,
): Promise<string> {
  tenant.set(value);
  await waitAtGate(port, null);
  return tenant.get();
}

/**
 * Yields `tenant` `n` times, setting it to `<tenant>+<i>` after each
 * yield: every step runs in the task's context and keeps its own sets.
 */
export async function* tenantSteps(n: number): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) {
    yield tenant.get();
    tenant.set(`${tenant.get()}+${i}`);
    await Promise.resolve();
  }
}

/** Tasks of each tenant running now in this worker, and the most at once. */
const running = new Map<string, { now: number; peak: number }>();

/**
 * Holds the worker for `ms` milliseconds (a timer, no CPU) as one task of
 * its `tenant`, and returns the most tasks of that tenant that ran at once
 * in this worker so far.
 */
export async function occupy(ms: number): Promise<number> {
  const key = tenant.get();
  const count = running.get(key) ?? { now: 0, peak: 0 };
  running.set(key, count);
  count.now++;
  count.peak = Math.max(count.peak, count.now);
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    count.now--;
  }
  return count.peak;
}
