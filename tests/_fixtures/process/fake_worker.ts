/**
 * A worker that speaks the launch protocol without serving anything: it
 * prints a line, its ready line (address `127.0.0.1:1`), more lines on
 * stdout and stderr, and exits with code 0 when its stdin closes.
 *
 * @module
 */
import { formatReadyLine } from "../../../src/wire/launch.ts";
import { readConfig, writeStderr, writeStdout } from "./_protocol.ts";

const { config, stdinClosed } = await readConfig();
await writeStdout(`hello from ${config.id}\n`);
await writeStdout(
  formatReadyLine(config.nonce, { address: "127.0.0.1:1", pid: Deno.pid }),
);
await writeStdout("after ready\r\n");
await writeStderr("a line on stderr\n");
await stdinClosed;
await writeStdout("stdin closed, bye");
Deno.exit(0);
