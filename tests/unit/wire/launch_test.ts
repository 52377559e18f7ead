import assert from "node:assert/strict";
import {
  formatFailedLine,
  formatReadyLine,
  parseStatusLine,
} from "../../../src/wire/launch.ts";
import { toErrorRecord } from "../../../src/wire/errors.ts";

const NONCE = "3f9c2a";

Deno.test("formatReadyLine() writes one line of nonce, status and JSON report", () => {
  assert.equal(
    formatReadyLine(NONCE, { address: "127.0.0.1:5000", pid: 42 }),
    `${NONCE} ready {"address":"127.0.0.1:5000","pid":42}\n`,
  );
});

Deno.test("parseStatusLine() reads back the ready line a worker formats", () => {
  const report = { address: "127.0.0.1:5000", pid: 42 };
  const line = formatReadyLine(NONCE, report).trimEnd();
  assert.deepEqual(parseStatusLine(line, NONCE), { status: "ready", report });
});

Deno.test("parseStatusLine() reads back the failed line with its error record", () => {
  const error = toErrorRecord(new TypeError("bad hook"));
  const line = formatFailedLine(NONCE, error).trimEnd();
  assert.ok(line.startsWith(`${NONCE} failed {`));
  assert.deepEqual(parseStatusLine(line, NONCE), { status: "failed", error });
});

Deno.test("parseStatusLine() takes a line with another nonce for ordinary output", () => {
  const line = formatReadyLine("other", { address: "127.0.0.1:1", pid: 1 })
    .trimEnd();
  assert.equal(parseStatusLine(line, NONCE), undefined);
  assert.equal(
    parseStatusLine(`${NONCE}x ready {"address":"a","pid":1}`, NONCE),
    undefined,
    "the nonce must be followed by a space",
  );
  assert.equal(
    parseStatusLine(`task says ${NONCE} ready {}`, NONCE),
    undefined,
  );
});

Deno.test("parseStatusLine() ignores an unknown status carrying the nonce", () => {
  assert.equal(parseStatusLine(`${NONCE} starting {}`, NONCE), undefined);
});

Deno.test("parseStatusLine() throws a SyntaxError on a status line with broken JSON", () => {
  assert.throws(
    () => parseStatusLine(`${NONCE} ready {"address":`, NONCE),
    SyntaxError,
  );
});
