import assert from "node:assert/strict";
import { NoWorkersAvailable } from "../../../src/loadbalancer/errors.ts";
import { WoolError } from "../../../src/errors.ts";

Deno.test("NoWorkersAvailable lists each worker's cause in its message, in the order tried", () => {
  const error = new NoWorkersAvailable([
    { address: "127.0.0.1:5001", code: "RESOURCE_EXHAUSTED", message: "busy" },
    { address: "127.0.0.1:5002", code: "UNAVAILABLE", message: "refused" },
  ]);
  assert.ok(error instanceof WoolError);
  assert.equal(error.name, "NoWorkersAvailable");
  assert.equal(
    error.message,
    "No workers available: all 2 tried declined (127.0.0.1:5001 RESOURCE_EXHAUSTED: busy; 127.0.0.1:5002 UNAVAILABLE: refused)",
  );
});

Deno.test("NoWorkersAvailable says the pool had no live worker when there is no cause", () => {
  const error = new NoWorkersAvailable([]);
  assert.equal(
    error.message,
    "No workers available: the pool has no live worker",
  );
  assert.deepStrictEqual(error.causes, []);
});

Deno.test("NoWorkersAvailable keeps a frozen copy of the causes", () => {
  const causes = [{ address: "a", code: "UNAVAILABLE", message: "m" }];
  const error = new NoWorkersAvailable(causes);
  causes.push({ address: "b", code: "INTERNAL", message: "n" });
  assert.equal(error.causes.length, 1);
  assert.ok(Object.isFrozen(error.causes));
});
