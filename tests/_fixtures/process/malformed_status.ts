/**
 * A worker whose status line carries the right nonce but no valid report;
 * it waits for its stdin to close.
 *
 * @module
 */
import { readConfig, writeStdout } from "./_protocol.ts";

const { config, stdinClosed } = await readConfig();
await writeStdout(`${config.nonce} ready {"address":\n`);
await stdinClosed;
