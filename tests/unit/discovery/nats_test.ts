import assert from "node:assert/strict";
import { natsDiscovery } from "../../../src/discovery/nats.ts";
import { NatsAnnouncer } from "../../../src/worker/nats_announcer.ts";

Deno.test("natsDiscovery rejects bad options with an error naming the option", () => {
  const cases: [unknown, string, RegExp][] = [
    [null, "TypeError", /options must be an object/],
    [{}, "TypeError", /"servers" must be a server URL or a non-empty list/],
    [{ servers: [] }, "TypeError", /"servers"/],
    [
      { servers: ["http://127.0.0.1:4222"] },
      "TypeError",
      /"servers" entry 0 "http:\/\/127.0.0.1:4222" is not a NATS server URL: its scheme http:/,
    ],
    [{ servers: [4222] }, "TypeError", /entry 0 4222/],
    [
      { servers: "127.0.0.1:4222", subject: "wool.*" },
      "TypeError",
      /"subject" must be a NATS subject without wildcards/,
    ],
    [{ servers: "127.0.0.1:4222", subject: 1 }, "TypeError", /"subject"/],
    [
      { servers: "127.0.0.1:4222", rollCallMs: 0 },
      "RangeError",
      /"rollCallMs" must be an integer from 1/,
    ],
    [
      { servers: "127.0.0.1:4222", reconnectWaitMs: "1s" },
      "TypeError",
      /"reconnectWaitMs" must be a number/,
    ],
  ];
  for (const [options, name, message] of cases) {
    assert.throws(
      // @ts-expect-error: deliberately wrong options
      () => natsDiscovery(options),
      (error: unknown) =>
        error instanceof Error && error.name === name &&
        /^Cannot create NATS discovery: /.test(error.message) &&
        message.test(error.message),
      JSON.stringify(options),
    );
  }
});

Deno.test("NatsAnnouncer.start rejects bad options with an error naming the option", () => {
  const worker = { key: "w", address: "127.0.0.2:5001" };
  const servers = "127.0.0.1:4222";
  const cases: [unknown, string, RegExp][] = [
    [undefined, "TypeError", /options must be an object/],
    [{ worker }, "TypeError", /"servers"/],
    [
      { servers: "ws://x:1", worker },
      "TypeError",
      /"servers" entry "ws:\/\/x:1"/,
    ],
    [{ servers, worker, subject: "a.>" }, "TypeError", /"subject"/],
    [{ servers }, "TypeError", /"worker": options must be an object/],
    [{ servers, worker: { ...worker, key: "" } }, "TypeError", /"worker.key"/],
    [
      { servers, worker: { ...worker, address: "127.0.0.2:0" } },
      "TypeError",
      /"worker.address" must be a "host:port" with a port from 1/,
    ],
    [
      { servers, worker: { ...worker, tags: [1] } },
      "TypeError",
      /"worker.tags"/,
    ],
    [
      { servers, worker: { ...worker, capacity: 0 } },
      "RangeError",
      /"worker.capacity" must be an integer ≥ 1/,
    ],
    [{ servers, worker, renewMs: 0 }, "RangeError", /"renewMs"/],
    [
      { servers, worker, reconnectWaitMs: -5 },
      "RangeError",
      /"reconnectWaitMs"/,
    ],
    [
      { servers, worker, onError: "log" },
      "TypeError",
      /"onError" must be a function/,
    ],
  ];
  for (const [options, name, message] of cases) {
    assert.throws(
      // @ts-expect-error: deliberately wrong options
      () => NatsAnnouncer.start(options),
      (error: unknown) =>
        error instanceof Error && error.name === name &&
        /^Cannot start NATS announcer/.test(error.message) &&
        message.test(error.message),
      JSON.stringify(options),
    );
  }
});

Deno.test("NatsAnnouncer reports each failed attempt to reach NATS and stops at leave()", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const errors: string[] = [];
  let reported!: () => void;
  const twice = new Promise<void>((resolve) => reported = resolve);
  const announcer = NatsAnnouncer.start({
    servers: `127.0.0.1:${port}`,
    worker: { key: "w", address: "127.0.0.2:5001" },
    reconnectWaitMs: 10,
    onError: (error) => {
      errors.push(error.message);
      if (errors.length === 2) reported();
    },
  });
  await twice;
  await announcer.leave();
  await announcer.leave();
  await assert.rejects(announcer.announced, /left before announcing to NATS/);
  assert.match(
    errors[0],
    /^Discovery NatsAnnouncer\("wool\.workers"\) failed: cannot connect to NATS/,
  );
});
