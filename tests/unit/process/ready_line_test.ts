import assert from "node:assert/strict";
import { OutputRelay } from "../../../src/process/output_relay.ts";
import {
  readStatusLine,
  StatusLineWatcher,
} from "../../../src/process/ready_line.ts";
import { toErrorRecord } from "../../../src/wire/errors.ts";
import { formatFailedLine, formatReadyLine } from "../../../src/wire/launch.ts";

const NONCE = "n0nce";
const READY = formatReadyLine(NONCE, { address: "127.0.0.1:4000", pid: 42 })
  .trimEnd();

Deno.test("StatusLineWatcher takes the ready line carrying its nonce", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  assert.equal(watcher.take("hello"), false);
  assert.equal(watcher.take(READY), true);
  assert.deepEqual(await watcher.outcome, {
    status: "ready",
    report: { address: "127.0.0.1:4000", pid: 42 },
  });
});

Deno.test("StatusLineWatcher leaves status lines with another nonce as output", () => {
  const watcher = new StatusLineWatcher(NONCE);
  const spoofs = [
    formatReadyLine("other", { address: "10.0.0.1:1", pid: 1 }),
    formatReadyLine(`${NONCE}x`, { address: "10.0.0.1:1", pid: 1 }),
    formatReadyLine(`x${NONCE}`, { address: "10.0.0.1:1", pid: 1 }),
    ` ${READY}`,
  ];
  for (const line of spoofs) assert.equal(watcher.take(line.trimEnd()), false);
});

Deno.test("StatusLineWatcher takes only the first status line", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  assert.equal(watcher.take(READY), true);
  assert.equal(watcher.take(READY), false);
  watcher.end();
  assert.equal((await watcher.outcome).status, "ready");
});

Deno.test("StatusLineWatcher takes a failed line with its error record", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  const record = toErrorRecord(new RangeError("no port"));
  assert.equal(watcher.take(formatFailedLine(NONCE, record).trimEnd()), true);
  assert.deepEqual(await watcher.outcome, { status: "failed", error: record });
});

Deno.test("StatusLineWatcher reports a malformed line carrying its nonce", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["bad JSON", `${NONCE} ready {nope`, /JSON/],
    ["unknown status", `${NONCE} started {}`, /neither ready nor failed/],
    ["no address", `${NONCE} ready {"pid":1}`, /address/],
    ["non-integer pid", `${NONCE} ready {"address":"h:1","pid":"1"}`, /pid/],
    ["not a record", `${NONCE} failed 42`, /error record/],
  ];
  for (const [name, line, cause] of cases) {
    await t.step(name, async () => {
      const watcher = new StatusLineWatcher(NONCE);
      assert.equal(watcher.take(line), true);
      const outcome = await watcher.outcome;
      assert.equal(outcome.status, "malformed");
      assert.ok(outcome.status === "malformed");
      assert.equal(outcome.line, line);
      assert.match(String(outcome.cause), cause);
    });
  }
});

Deno.test("StatusLineWatcher ends without a status line", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  watcher.take("just output");
  watcher.end();
  assert.deepEqual(await watcher.outcome, { status: "ended" });
});

Deno.test("readStatusLine() picks the status line out of relayed stdout, spoofs included", async () => {
  const texts: string[] = [];
  const watcher = new StatusLineWatcher(NONCE);
  const stdout = ReadableStream.from([
    "starting\n",
    formatReadyLine("wrong", { address: "10.0.0.1:666", pid: 1 }),
    READY.slice(0, 10),
    `${READY.slice(10)}\nafter ready\n`,
  ].map((text) => new TextEncoder().encode(text)));
  const relay = new OutputRelay(stdout, {
    label: "w1",
    sink: (text) => void texts.push(text),
    onLine: watcher.take,
  });
  relay.done.then(() => watcher.end());
  const outcome = await readStatusLine(watcher, { timeoutMs: 60_000 });
  assert.deepEqual(outcome, {
    status: "ready",
    report: { address: "127.0.0.1:4000", pid: 42 },
  });
  await relay.done;
  assert.equal(
    texts.join(""),
    '[wool w1] starting\n[wool w1] wrong ready {"address":"10.0.0.1:666","pid":1}\n[wool w1] after ready\n',
  );
});

Deno.test("readStatusLine() gives up after timeoutMs", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  assert.deepEqual(await readStatusLine(watcher, { timeoutMs: 1 }), {
    status: "timeout",
    timeoutMs: 1,
  });
});

Deno.test("readStatusLine() gives up when its signal aborts", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  const controller = new AbortController();
  const reading = readStatusLine(watcher, {
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  controller.abort("changed my mind");
  assert.deepEqual(await reading, {
    status: "aborted",
    reason: "changed my mind",
  });
  assert.deepEqual(
    await readStatusLine(watcher, {
      timeoutMs: 60_000,
      signal: AbortSignal.abort("already"),
    }),
    { status: "aborted", reason: "already" },
  );
});

Deno.test("readStatusLine() returns the outcome that comes first, and leaves no timer behind", async () => {
  const watcher = new StatusLineWatcher(NONCE);
  const controller = new AbortController();
  watcher.end();
  assert.deepEqual(
    await readStatusLine(watcher, {
      timeoutMs: 60_000,
      signal: controller.signal,
    }),
    { status: "ended" },
  );
  // The op sanitizer fails this test if the 60 s timer is still pending.
});
