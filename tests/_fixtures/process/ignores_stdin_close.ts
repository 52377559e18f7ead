/**
 * A worker that reports ready and keeps running after its stdin closes.
 * With `--ignore-sigterm` it also ignores SIGTERM, so only SIGKILL ends it.
 *
 * @module
 */
import { formatReadyLine } from "../../../src/wire/launch.ts";
import { readConfig, writeStdout } from "./_protocol.ts";

const ignoreSigterm = Deno.args.includes("--ignore-sigterm");
if (ignoreSigterm) {
  Deno.addSignalListener("SIGTERM", () => {
    void writeStdout("SIGTERM ignored\n");
  });
}
const { config, stdinClosed } = await readConfig();
// Keeps the process alive whatever happens to stdin.
setInterval(() => {}, 60_000);
await writeStdout(
  formatReadyLine(config.nonce, { address: "127.0.0.1:3", pid: Deno.pid }),
);
await stdinClosed;
await writeStdout("stdin closed, staying\n");
