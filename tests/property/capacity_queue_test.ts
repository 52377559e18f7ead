import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { backoffMs, CapacityQueue } from "../../src/pool/capacity_queue.ts";

/** A backoff attempt whose timer (25–50 ms) never runs out within a run. */
const LATE_ATTEMPT = 10;

type Op =
  | { readonly kind: "join" }
  | { readonly kind: "notifyFreed" }
  | { readonly kind: "leave"; readonly pick: number }
  | { readonly kind: "waitAgain"; readonly pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: "join" as const }),
  fc.constant({ kind: "notifyFreed" as const }),
  fc.record({ kind: fc.constant("leave" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("waitAgain" as const), pick: fc.nat() }),
);

/** Lets settled promises run their callbacks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await Promise.resolve();
}

interface Call {
  readonly label: number;
  readonly ticket: ReturnType<CapacityQueue["join"]>;
  /** What the model expects: waiting, or woken (it may try now). */
  state: "waiting" | "woken";
  /** What the real wait did. */
  woken: boolean;
}

Deno.test("CapacityQueue wakes waiting calls only at the head, in arrival order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const queue = new CapacityQueue();
      const controller = new AbortController();
      const calls: Call[] = [];
      let nextLabel = 0;
      const wakeOrder: number[] = [];
      const wait = (call: Call) => {
        call.state = "waiting";
        call.woken = false;
        queue.wait(
          call.ticket,
          LATE_ATTEMPT,
          performance.now() + 60_000,
          controller.signal,
        )
          .then((outcome) => {
            assert.equal(outcome, true);
            assert.equal(
              calls[0],
              call,
              `call ${call.label} woke off the head`,
            );
            call.woken = true;
            wakeOrder.push(call.label);
          }, () => {});
      };
      for (const step of ops) {
        switch (step.kind) {
          case "join": {
            const call: Call = {
              label: nextLabel++,
              ticket: queue.join(),
              state: "waiting",
              woken: false,
            };
            calls.push(call);
            wait(call);
            break;
          }
          case "notifyFreed":
            queue.notifyFreed();
            if (calls[0]?.state === "waiting") calls[0].state = "woken";
            break;
          case "leave": {
            if (calls.length === 0) break;
            const index = step.pick % calls.length;
            const [call] = calls.splice(index, 1);
            queue.leave(call.ticket);
            if (call.state === "waiting") {
              // A call leaves only after it tried; abandon its wait here.
              call.state = "woken";
            }
            if (index === 0 && calls[0]?.state === "waiting") {
              calls[0].state = "woken";
            }
            break;
          }
          case "waitAgain": {
            const woken = calls.filter((call) => call.state === "woken");
            if (woken.length === 0) break;
            wait(woken[step.pick % woken.length]);
            break;
          }
        }
        await settle();
        for (const call of calls) {
          assert.equal(
            call.woken,
            call.state === "woken",
            `call ${call.label}`,
          );
        }
        assert.equal(queue.waiting(), calls.length > 0);
      }
      controller.abort();
      await settle();
      const firstWakes = [...new Set(wakeOrder)];
      assert.deepStrictEqual(
        firstWakes,
        [...firstWakes].sort((a, b) => a - b),
        "calls first tried in arrival order",
      );
    }),
  );
});

Deno.test("backoffMs() stays within half and all of its capped exponential ceiling", () => {
  fc.assert(
    fc.property(fc.nat({ max: 1000 }), (attempt) => {
      const ceiling = Math.min(50, 2 * 2 ** attempt);
      const ms = backoffMs(attempt);
      assert.ok(ms >= ceiling / 2 && ms <= ceiling, `${attempt}: ${ms}`);
    }),
  );
});
