/**
 * A program that starts a one-worker pool with the default
 * `worker.permissions: "inherit"` (workers on TCP when its first argument
 * is `tcp`), and prints, as JSON, what a task in the worker may do; when
 * the pool cannot start, prints the error's name and message to stderr
 * and exits with code 3. The test runs it under partial grants.
 *
 * @module
 */
try {
  const { WorkerPool } = await import("../../../mod.ts");
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: { listen: Deno.args[0] === "tcp" ? "tcp" : "unix" },
  });
  const tasks = pool.remote<typeof import("./tasks.ts")>(
    new URL("./tasks.ts", import.meta.url),
  );
  const states: Record<string, string> = {};
  for (
    const descriptor of [
      { name: "read" },
      { name: "write" },
      { name: "ffi" },
      { name: "sys", kind: "hostname" },
      { name: "sys", kind: "osRelease" },
    ] as Deno.PermissionDescriptor[]
  ) {
    states[Object.values(descriptor).join(":")] = await tasks.permissionOf(
      descriptor,
    );
  }
  console.log(JSON.stringify(states));
} catch (error) {
  console.error(`${(error as Error).name}: ${(error as Error).message}`);
  Deno.exit(3);
}
