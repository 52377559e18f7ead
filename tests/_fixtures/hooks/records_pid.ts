/**
 * Appends this process's pid to the file named by the environment variable
 * `WOOL_TEST_PID_FILE` when evaluated, so a test learns the pids of worker
 * processes that fail to start. Imported by the start-up failure hooks, or
 * run as a `--preload` module where the hook module itself never loads.
 *
 * @module
 */
const path = Deno.env.get("WOOL_TEST_PID_FILE");
if (path !== undefined) {
  await Deno.writeTextFile(path, `${Deno.pid}\n`, { append: true });
}
