import assert from "node:assert/strict";
import { RoundRobinLoadBalancer } from "../../../src/loadbalancer/round_robin.ts";
import { validateCloseOptions } from "../../../src/pool/close_options.ts";
import { UnsupportedDenoVersion } from "../../../src/pool/deno_version.ts";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_DURATION_MS,
  validatePoolOptions,
} from "../../../src/pool/options.ts";

Deno.test("validatePoolOptions() fills in every default", () => {
  const resolved = validatePoolOptions();
  const { loadBalancer, launch, ...rest } = resolved;
  assert.deepStrictEqual(rest, {
    spawn: navigator.hardwareConcurrency || 1,
    discovery: undefined,
    credentials: { token: undefined, tls: undefined },
    tags: [],
    lease: Infinity,
    quorum: navigator.hardwareConcurrency || 1,
    quorumTimeoutMs: 60_000,
    backpressure: null,
    backpressureTimeoutMs: 1000,
    admissionWaitMs: 0,
    admissionWaitKey: undefined,
    maxConcurrentDispatches: 100,
    maxCallDepth: 16,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    respawn: true,
    recycle: { maxTasks: Infinity, maxRssBytes: Infinity },
    startTimeoutMs: 30_000,
    workerUnresponsiveMs: 10_000,
    transport: "session",
    allowKnownBadDeno: false,
  });
  assert.ok(loadBalancer instanceof RoundRobinLoadBalancer);
  assert.equal(launch.command, Deno.execPath());
  assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 64 * 1024 * 1024);
});

Deno.test("validatePoolOptions() keeps the values it is given", () => {
  const loadBalancer = new RoundRobinLoadBalancer();
  const resolved = validatePoolOptions({
    spawn: 3,
    backpressure: {
      module: "file:///srv/hook.ts",
      export: "cap",
      options: { limit: 2 },
    },
    backpressureTimeoutMs: 5,
    admissionWaitMs: MAX_DURATION_MS,
    admissionWaitKey: "tenant",
    maxConcurrentDispatches: 1,
    maxMessageBytes: 1024,
    respawn: false,
    loadBalancer,
    startTimeoutMs: 1,
    workerUnresponsiveMs: 0,
    transport: "dispatch",
  });
  assert.equal(resolved.spawn, 3);
  assert.deepStrictEqual(resolved.backpressure, {
    module: "file:///srv/hook.ts",
    export: "cap",
    options: { limit: 2 },
  });
  assert.equal(resolved.admissionWaitMs, MAX_DURATION_MS);
  assert.equal(resolved.admissionWaitKey, "tenant");
  assert.equal(resolved.loadBalancer, loadBalancer);
  assert.equal(resolved.respawn, false);
  assert.equal(resolved.transport, "dispatch");
  assert.equal(resolved.workerUnresponsiveMs, 0);
});

Deno.test("validatePoolOptions() rejects a wrong type with a TypeError naming the option", () => {
  assert.throws(
    // @ts-expect-error spawn is a number
    () => validatePoolOptions({ spawn: "2" }),
    {
      name: "TypeError",
      message:
        'Cannot start worker pool: "spawn" must be an integer, received "2"',
    },
  );
  // @ts-expect-error respawn is a boolean
  assert.throws(() => validatePoolOptions({ respawn: "yes" }), {
    name: "TypeError",
    message: /"respawn" must be a boolean/,
  });
  // @ts-expect-error transport is "session" or "dispatch"
  assert.throws(() => validatePoolOptions({ transport: "grpc" }), {
    name: "TypeError",
    message: /"transport" must be "session" or "dispatch", received "grpc"/,
  });
  // @ts-expect-error a load balancer has candidates()
  assert.throws(() => validatePoolOptions({ loadBalancer: {} }), {
    name: "TypeError",
    message: /"loadBalancer" must be an object with a candidates\(\) method/,
  });
  // @ts-expect-error a duration is a number of milliseconds
  assert.throws(() => validatePoolOptions({ admissionWaitMs: "1s" }), {
    name: "TypeError",
    message: /"admissionWaitMs" must be a number of milliseconds/,
  });
  for (const admissionWaitKey of ["", 7]) {
    // @ts-expect-error a key is a context variable's name, or "tag"
    assert.throws(() => validatePoolOptions({ admissionWaitKey }), {
      name: "TypeError",
      message:
        /"admissionWaitKey" must be a non-empty string \(a context variable's name, or "tag"\)/,
    });
  }
  // @ts-expect-error hooks are module specifiers, not closures
  assert.throws(() => validatePoolOptions({ backpressure: () => true }), {
    name: "TypeError",
    message: /module specifier/,
  });
});

Deno.test("validatePoolOptions() rejects an out-of-range number with a RangeError naming the option", () => {
  assert.throws(() => validatePoolOptions({ spawn: 0 }), {
    name: "RangeError",
    message:
      'Cannot start worker pool: "spawn" must be an integer ≥ 1, received 0',
  });
  assert.throws(() => validatePoolOptions({ maxConcurrentDispatches: 1.5 }), {
    name: "RangeError",
    message: /"maxConcurrentDispatches" must be an integer ≥ 1/,
  });
  assert.throws(() => validatePoolOptions({ backpressureTimeoutMs: 0 }), {
    name: "RangeError",
    message: /"backpressureTimeoutMs" must be a finite number > 0/,
  });
  assert.throws(() => validatePoolOptions({ admissionWaitMs: -1 }), {
    name: "RangeError",
    message: /"admissionWaitMs" must be a finite number ≥ 0/,
  });
});

Deno.test("validatePoolOptions() rejects a duration too long for a timer", () => {
  assert.throws(
    () => validatePoolOptions({ startTimeoutMs: MAX_DURATION_MS + 1 }),
    {
      name: "RangeError",
      message:
        `Cannot start worker pool: "startTimeoutMs" must be a finite number > 0 and ≤ 2147483647, received 2147483648`,
    },
  );
});

Deno.test("validatePoolOptions() rejects an unknown option, naming it and the known ones", () => {
  assert.throws(
    // @ts-expect-error not an option
    () => validatePoolOptions({ workers: 2 }),
    {
      name: "TypeError",
      message:
        /^Cannot start worker pool: unknown option "workers" \(known: spawn, /,
    },
  );
});

Deno.test("validatePoolOptions() rejects options that are not an object", () => {
  for (const options of [null, 2, "spawn"]) {
    // @ts-expect-error options is an object
    assert.throws(() => validatePoolOptions(options), {
      name: "TypeError",
      message: /^Cannot start worker pool: options must be an object/,
    });
  }
});

Deno.test("validatePoolOptions() refuses a Deno release known to break wool, naming the version and the fix", () => {
  for (const version of ["2.9.4", "2.9.5", "2.9.6", "2.9.5+1a2b3c4"]) {
    assert.throws(() => validatePoolOptions({ spawn: 1 }, version), (error) => {
      assert.ok(error instanceof UnsupportedDenoVersion, `got ${error}`);
      assert.equal(error.version, version);
      assert.ok(
        error.message.includes(`Deno ${version} aborts`),
        error.message,
      );
      assert.match(error.message, /npm install -g deno@2\.9\.3/);
      assert.match(error.message, /allowKnownBadDeno: true/);
      return true;
    });
  }
});

Deno.test("validatePoolOptions() takes a known-bad Deno with allowKnownBadDeno: true, and any other release without it", () => {
  const allowed = validatePoolOptions(
    { spawn: 1, allowKnownBadDeno: true },
    "2.9.5",
  );
  assert.equal(allowed.spawn, 1);
  for (const version of ["2.9.3", "2.9.7", "2.10.0", Deno.version.deno]) {
    assert.equal(validatePoolOptions({ spawn: 2 }, version).spawn, 2);
  }
  assert.equal(
    validatePoolOptions({ spawn: 1, allowKnownBadDeno: false }, "2.9.3").spawn,
    1,
  );
});

Deno.test("validatePoolOptions() checks allowKnownBadDeno's type before the version", () => {
  assert.throws(
    // @ts-expect-error allowKnownBadDeno is a boolean
    () => validatePoolOptions({ allowKnownBadDeno: "yes" }, "2.9.5"),
    {
      name: "TypeError",
      message:
        'Cannot start worker pool: "allowKnownBadDeno" must be a boolean, received "yes"',
    },
  );
});

Deno.test("validateCloseOptions() defaults graceMs to 30 s and checks it", () => {
  assert.equal(validateCloseOptions(), 30_000);
  assert.equal(validateCloseOptions({ graceMs: 0 }), 0);
  // @ts-expect-error graceMs is a number
  assert.throws(() => validateCloseOptions({ graceMs: "1" }), {
    name: "TypeError",
    message: /"graceMs" must be a number/,
  });
  for (const graceMs of [-1, NaN, Infinity, MAX_DURATION_MS + 1]) {
    assert.throws(() => validateCloseOptions({ graceMs }), {
      name: "RangeError",
      message:
        /^Cannot close worker pool: "graceMs" must be a finite number ≥ 0/,
    });
  }
  // @ts-expect-error options is an object
  assert.throws(() => validateCloseOptions(null), TypeError);
});
