import assert from "node:assert/strict";
import {
  type Engine,
  MissingEngine,
  requireEngine,
  shouldIgnore,
} from "../../_helpers/engines.ts";

const ABSENT: Engine = {
  binary: "wool-no-such-server",
  debianPackage: "wool-no-such-package",
};

Deno.test("engines: a missing server ignores its tests outside CI, and fails them under CI=true", () => {
  const warnings: string[] = [];
  const error = console.error;
  console.error = (line: string) => warnings.push(line);
  try {
    assert.equal(shouldIgnore([ABSENT], false), true);
    assert.equal(shouldIgnore([ABSENT], true), false);
  } finally {
    console.error = error;
  }
  assert.deepStrictEqual(warnings, [
    'Ignoring tests that need wool-no-such-server: install the Debian package "wool-no-such-package" to run them',
  ]);
  assert.throws(
    () => requireEngine(ABSENT),
    (thrown: unknown) =>
      thrown instanceof MissingEngine &&
      thrown.message ===
        "wool-no-such-server is not installed: apt-get install -y wool-no-such-package",
  );
});
