import assert from "node:assert/strict";
import { WORKER_SERVICE } from "../../../src/wire/wool_pb.ts";
import {
  decodeWorkerDetails,
  encodeWorkerDetails,
  type WorkerDetails,
} from "../../../src/wire/worker_details.ts";

const DETAILS: WorkerDetails = {
  protocolVersion: 1,
  id: "7f0c",
  address: "[::1]:7000",
  tags: ["gpu", "eu"],
  pid: 4242,
  capacity: 8,
  draining: true,
};

Deno.test("encodeWorkerDetails() and decodeWorkerDetails() carry every field through the generated codec", () => {
  const { Info } = WORKER_SERVICE;
  const bytes = Info.responseSerialize(encodeWorkerDetails(DETAILS));
  assert.deepStrictEqual(
    decodeWorkerDetails(Info.responseDeserialize(bytes)),
    DETAILS,
  );
});

Deno.test("decodeWorkerDetails() reads absent fields as their defaults, and a capacity of 0 as none", () => {
  const none = { ...DETAILS, tags: [], draining: false };
  delete (none as { capacity?: number }).capacity;
  assert.deepStrictEqual(
    decodeWorkerDetails(encodeWorkerDetails(none)),
    none,
  );
  assert.deepStrictEqual(decodeWorkerDetails({}), {
    protocolVersion: 0,
    id: "",
    address: "",
    tags: [],
    pid: 0,
    draining: false,
  });
  assert.deepStrictEqual(decodeWorkerDetails(undefined).tags, []);
  assert.ok(Object.isFrozen(decodeWorkerDetails({ tags: ["a"] }).tags));
});
