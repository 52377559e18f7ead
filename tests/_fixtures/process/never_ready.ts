/**
 * A worker that reads its config and prints a line, but never its status
 * line; it exits when its stdin closes.
 *
 * @module
 */
import { readConfig, writeStdout } from "./_protocol.ts";

const { config, stdinClosed } = await readConfig();
await writeStdout(`${config.id} is still starting\n`);
await stdinClosed;
Deno.exit(0);
