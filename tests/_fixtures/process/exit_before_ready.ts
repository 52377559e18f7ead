/**
 * A worker that writes to stderr and exits with code 3 without reading its
 * config or printing a status line.
 *
 * @module
 */
import { writeStderr } from "./_protocol.ts";

await writeStderr("starting\n");
await writeStderr("boom: cannot start\n");
Deno.exit(3);
