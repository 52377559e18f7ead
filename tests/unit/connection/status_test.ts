import assert from "node:assert/strict";
import { grpc } from "../../../src/wire/grpc.ts";
import {
  classifyStatus,
  Status,
  statusName,
  TRANSIENT_STATUS_CODES,
} from "../../../src/connection/status.ts";

const ALL_CODES = Object.entries(grpc.status).filter((
  entry,
): entry is [string, number] => typeof entry[1] === "number");

Deno.test("classifyStatus() keeps the worker for UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED only", () => {
  const transient = ALL_CODES
    .filter(([, code]) => classifyStatus(code) === "transient")
    .map(([name]) => name)
    .sort();
  assert.deepStrictEqual(transient, [
    "DEADLINE_EXCEEDED",
    "RESOURCE_EXHAUSTED",
    "UNAVAILABLE",
  ]);
  assert.deepStrictEqual(
    [...TRANSIENT_STATUS_CODES].map(statusName).sort(),
    transient,
  );
});

Deno.test("classifyStatus() evicts for every other code, known or not", () => {
  for (const [name, code] of ALL_CODES) {
    if (TRANSIENT_STATUS_CODES.has(code)) continue;
    assert.equal(classifyStatus(code), "evict", name);
  }
  assert.equal(classifyStatus(99), "evict");
  assert.equal(classifyStatus(-1), "evict");
});

Deno.test("statusName() names every gRPC status code as grpc-js does", () => {
  for (const [name, code] of ALL_CODES) assert.equal(statusName(code), name);
  assert.equal(statusName(8), "RESOURCE_EXHAUSTED");
});

Deno.test("statusName() names a code it does not know by its number", () => {
  assert.equal(statusName(42), "UNKNOWN_STATUS_42");
});

Deno.test("Status holds the codes the caller uses by name", () => {
  assert.deepStrictEqual(
    Object.fromEntries(
      Object.entries(Status).map(([name, code]) => [name, statusName(code)]),
    ),
    {
      OK: "OK",
      CANCELLED: "CANCELLED",
      RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED",
      UNAVAILABLE: "UNAVAILABLE",
      INTERNAL: "INTERNAL",
    },
  );
});
