/**
 * Tests that need a program from a Debian package (util-linux's `taskset`
 * and `chrt`): whether it is on PATH, and what to do when it is not —
 * ignore the test with a message naming the package, except under
 * `CI=true`, where a missing program fails the run.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Whether `program --version` runs. */
export function onPath(program: string): boolean {
  try {
    return new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/**
 * True when `program` is on PATH. Otherwise fails under `CI=true`, else
 * warns that the test is ignored and returns false.
 */
export function requireProgram(
  program: string,
  debianPackage: string,
): boolean {
  if (onPath(program)) return true;
  if (Deno.env.get("CI") === "true") {
    assert.fail(`${program} is not on PATH: apt-get install ${debianPackage}`);
  }
  console.warn(`ignored: ${program} is not on PATH (Debian: ${debianPackage})`);
  return false;
}
