/**
 * Task routines for the examples: plain exported async functions and async
 * generator functions. Nothing here knows about pools or workers.
 *
 * @module
 */
import { ContextVar, taskSignal } from "@wool/core/task";

/** Who a call is for: set by the caller with `tenant.run(…)`, read by tasks. */
export const tenant = new ContextVar<string>("tenant", {
  default: "anonymous",
});

/** Adds two numbers. */
export async function add(a: number, b: number): Promise<number> {
  return await Promise.resolve(a + b);
}

/** Yields 0, 1, … n - 1. */
export async function* count(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield await Promise.resolve(i);
}

/** Works for `ms` milliseconds (or until the caller cancels), then returns `label`. */
export async function work(ms: number, label: string): Promise<string> {
  const signal = taskSignal();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
  return `${label} done in worker ${Deno.pid}`;
}

/** Works for `ms` milliseconds, then says for which tenant. */
export async function serve(ms: number, request: number): Promise<string> {
  await work(ms, "");
  return `${tenant.get()} #${request}`;
}
