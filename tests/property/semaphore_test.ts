import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { type Permit, Semaphore } from "../../src/connection/semaphore.ts";

type Op =
  | { readonly kind: "acquire"; readonly abortable: boolean }
  | { readonly kind: "tryAcquire" }
  | { readonly kind: "release"; readonly pick: number }
  | { readonly kind: "abort"; readonly pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("acquire" as const), abortable: fc.boolean() }),
  fc.record({ kind: fc.constant("tryAcquire" as const) }),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("abort" as const), pick: fc.nat() }),
);

interface Waiter {
  readonly label: number;
  readonly controller?: AbortController;
  state: "waiting" | "granted" | "aborted";
}

/** Lets settled promises run their callbacks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

Deno.test("Semaphore never hands out more than its capacity and serves waiters first come, first served", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(op, { maxLength: 40 }),
      async (capacity, ops) => {
        const semaphore = new Semaphore(capacity);
        const permits: Permit[] = [];
        const waiters: Waiter[] = [];
        const granted: number[] = [];
        // The model: permits out, and labels of waiters in arrival order.
        let out = 0;
        const queue: number[] = [];
        const expectedGrants: number[] = [];
        const releasedPermits = new Set<Permit>();

        for (const step of ops) {
          switch (step.kind) {
            case "acquire": {
              const label = waiters.length;
              const controller = step.abortable
                ? new AbortController()
                : undefined;
              const waiter: Waiter = { label, controller, state: "waiting" };
              waiters.push(waiter);
              semaphore.acquire(controller?.signal).then((permit) => {
                waiter.state = "granted";
                granted.push(label);
                permits.push(permit);
              }, () => {
                waiter.state = "aborted";
              });
              if (out < capacity && queue.length === 0) {
                out++;
                expectedGrants.push(label);
              } else {
                queue.push(label);
              }
              break;
            }
            case "tryAcquire": {
              const permit = semaphore.tryAcquire();
              const free = out < capacity && queue.length === 0;
              assert.equal(
                permit !== undefined,
                free,
                "tryAcquire only when free",
              );
              if (permit) {
                out++;
                permits.push(permit);
              }
              break;
            }
            case "release": {
              if (permits.length === 0) break;
              const permit = permits[step.pick % permits.length];
              permit.release();
              if (releasedPermits.has(permit)) break; // a second release is a no-op
              releasedPermits.add(permit);
              const next = queue.shift();
              if (next === undefined) out--;
              else expectedGrants.push(next);
              break;
            }
            case "abort": {
              const abortable = waiters.filter((w) => w.controller);
              if (abortable.length === 0) break;
              const waiter = abortable[step.pick % abortable.length];
              waiter.controller!.abort(new Error("aborted"));
              const index = queue.indexOf(waiter.label);
              if (index >= 0) queue.splice(index, 1);
              break;
            }
          }
          await settle();
          assert.ok(out <= capacity);
          assert.deepStrictEqual(
            granted,
            expectedGrants,
            "grants in arrival order",
          );
          assert.equal(semaphore.waiting, queue.length);
          assert.equal(semaphore.available, capacity - out);
          const live = permits.filter((p) => !releasedPermits.has(p)).length;
          assert.ok(
            live <= capacity,
            "never more permits out than the capacity",
          );
        }
        for (const waiter of waiters) waiter.controller?.abort();
      },
    ),
  );
});
