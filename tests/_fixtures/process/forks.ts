/**
 * A worker that speaks the launch protocol and, once ready, starts
 * `sleep 60` sharing its stdout (as task code that shells out would),
 * prints `child <pid>`, and exits with code 0 when its stdin closes,
 * leaving the child running.
 *
 * @module
 */
import { formatReadyLine } from "../../../src/wire/launch.ts";
import { readConfig, writeStdout } from "./_protocol.ts";

const { config, stdinClosed } = await readConfig();
await writeStdout(
  formatReadyLine(config.nonce, { address: "127.0.0.1:1", pid: Deno.pid }),
);
const child = new Deno.Command("sleep", {
  args: ["60"],
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
await writeStdout(`child ${child.pid}\n`);
await stdinClosed;
Deno.exit(0);
