/**
 * A worker that cannot start: it prints a `failed` status line carrying a
 * `TypeError`, then exits with code 1, as the real worker does.
 *
 * @module
 */
import { toErrorRecord } from "../../../src/wire/errors.ts";
import { formatFailedLine } from "../../../src/wire/launch.ts";
import { readConfig, writeStderr, writeStdout } from "./_protocol.ts";

const { config } = await readConfig();
await writeStderr("loading the hook\n");
const error = new TypeError("the hook export is not a function", {
  cause: new Error("found a number"),
});
await writeStdout(formatFailedLine(config.nonce, toErrorRecord(error)));
Deno.exit(1);
