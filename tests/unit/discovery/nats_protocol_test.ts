import assert from "node:assert/strict";
import {
  checkNatsServer,
  decodeAnnouncement,
  decodeLeave,
  encodeMessage,
  isNatsSubject,
  natsSubjects,
  workerOfAnnouncement,
} from "../../../src/discovery/nats_protocol.ts";

const bytes = (value: unknown) =>
  new TextEncoder().encode(
    typeof value === "string" ? value : JSON.stringify(value),
  );

Deno.test("nats_protocol round-trips an announcement and a leave", () => {
  const announcement = {
    v: 1 as const,
    key: "w-1",
    address: "[::1]:5001",
    tags: ["gpu"],
    capacity: 4,
    ttlMs: 12_500,
  };
  assert.deepStrictEqual(decodeAnnouncement(encodeMessage(announcement)), {
    ok: true,
    value: announcement,
  });
  assert.deepStrictEqual(decodeLeave(encodeMessage({ v: 1, key: "w-1" })), {
    ok: true,
    value: { v: 1, key: "w-1" },
  });
});

Deno.test("nats_protocol names why it refuses a malformed announcement", () => {
  const valid = { v: 1, key: "k", address: "127.0.0.2:1", ttlMs: 1000 };
  const cases: [unknown, RegExp][] = [
    ["{", /not UTF-8 JSON/],
    [[], /not a JSON object/],
    [null, /not a JSON object/],
    [{ ...valid, v: undefined }, /protocol version undefined is not 1/],
    [{ ...valid, key: "" }, /key is not a non-empty string/],
    [{ ...valid, key: "x".repeat(257) }, /key/],
    [
      { ...valid, address: "127.0.0.2" },
      /address "127.0.0.2" is not a host:port/,
    ],
    [{ ...valid, address: "127.0.0.2:0" }, /address/],
    [{ ...valid, tags: "gpu" }, /tags are not a list/],
    [{ ...valid, tags: [""] }, /tags/],
    [{ ...valid, capacity: 0 }, /capacity is not an integer ≥ 1/],
    [{ ...valid, capacity: 1.5 }, /capacity/],
    [{ ...valid, ttlMs: "1000" }, /ttlMs is not a positive integer/],
    [{ ...valid, ttlMs: 2 ** 31 }, /ttlMs/],
  ];
  for (const [payload, reason] of cases) {
    const decoded = decodeAnnouncement(bytes(payload));
    assert.equal(decoded.ok, false, JSON.stringify(payload));
    assert.match((decoded as { reason: string }).reason, reason);
  }
  const invalidUtf8 = decodeAnnouncement(new Uint8Array([0x7b, 0xff, 0x7d]));
  assert.equal(invalidUtf8.ok, false);
  assert.equal(decodeLeave(bytes({ v: 1 })).ok, false);
});

Deno.test("nats_protocol turns an announcement into a frozen discovered worker", () => {
  const worker = workerOfAnnouncement({
    v: 1,
    key: "w",
    address: "127.0.0.2:1",
    tags: ["a"],
    ttlMs: 1,
  });
  assert.deepStrictEqual(worker, {
    key: "w",
    address: "127.0.0.2:1",
    tags: ["a"],
  });
  assert.ok(Object.isFrozen(worker) && Object.isFrozen(worker.tags));
});

Deno.test("nats_protocol accepts literal subjects only", () => {
  for (const subject of ["wool.workers", "a", "team-a.wool_workers.v1"]) {
    assert.ok(isNatsSubject(subject), subject);
  }
  for (
    const subject of [
      "",
      "a..b",
      ".a",
      "a.",
      "a.*",
      "a.>",
      "a b",
      "x".repeat(201),
    ]
  ) {
    assert.ok(!isNatsSubject(subject), subject);
  }
  assert.deepStrictEqual(natsSubjects("wool.workers"), {
    announce: "wool.workers.announce",
    leave: "wool.workers.leave",
    rollCall: "wool.workers.rollcall",
  });
});

Deno.test("nats_protocol checks server URLs as the client takes them", () => {
  for (
    const server of [
      "nats://127.0.0.1:4222",
      "tls://nats.example:4443",
      "127.0.0.1:4222",
      "nats",
      "[::1]:4222",
    ]
  ) {
    assert.equal(checkNatsServer(server), undefined, server);
  }
  assert.match(
    checkNatsServer("http://127.0.0.1:4222") ?? "",
    /scheme http: is not nats: or tls:/,
  );
  assert.match(checkNatsServer("nats://127.0.0.1:4222/path") ?? "", /path/);
  assert.match(
    checkNatsServer("nats://:4222") ?? "",
    /not a URL|names no host/,
  );
  assert.match(checkNatsServer("nats://a b") ?? "", /not a URL/);
});
