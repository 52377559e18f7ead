/**
 * Waiting on admission outcomes in tests: tasks held at a {@linkcode Gate},
 * and calls every worker refused.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable } from "../../mod.ts";
import type { Gate } from "./gate.ts";

/**
 * Resolves once `count` tasks in all have arrived at `gate`; rejects as
 * soon as one of the `pending` calls settles first (a call meant to be
 * held was refused, or ran past the gate), so a broken admission fails the
 * test instead of hanging it.
 */
export async function arrived(
  gate: Gate,
  count: number,
  pending: readonly PromiseLike<unknown>[],
): Promise<void> {
  let waiting = true;
  const settled = new Promise<never>((_, reject) => {
    for (const call of pending) {
      call.then(
        (value) => {
          if (waiting) {
            reject(new Error(`a pending call settled with ${value}`));
          }
        },
        (error) => {
          if (waiting) reject(error);
        },
      );
    }
  });
  try {
    await Promise.race([gate.arrived(count), settled]);
  } finally {
    waiting = false;
  }
}

/** The `NoWorkersAvailable` a call rejects with. */
export async function noWorkers(
  call: Promise<unknown>,
): Promise<NoWorkersAvailable> {
  const error = await call.then(
    (value) => assert.fail(`expected NoWorkersAvailable, resolved ${value}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof NoWorkersAvailable, String(error));
  return error;
}
