/**
 * A worker whose output tries to pass for a status line: a ready line with
 * a wrong nonce, and one whose nonce only starts like the right one, come
 * before the real ready line (address `127.0.0.1:2`). Exits when stdin
 * closes.
 *
 * @module
 */
import { formatReadyLine } from "../../../src/wire/launch.ts";
import { readConfig, writeStdout } from "./_protocol.ts";

const { config, stdinClosed } = await readConfig();
await writeStdout(
  formatReadyLine("not-the-nonce", { address: "10.0.0.1:666", pid: 1 }),
);
await writeStdout(
  formatReadyLine(`${config.nonce}x`, { address: "10.0.0.2:666", pid: 1 }),
);
await writeStdout(
  formatReadyLine(config.nonce, { address: "127.0.0.1:2", pid: Deno.pid }),
);
await stdinClosed;
Deno.exit(0);
