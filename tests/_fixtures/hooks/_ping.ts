/**
 * How a hook fixture tells a test something happened without the test
 * sleeping: a connection to the test's gate (`tests/_helpers/gate.ts`),
 * opened and closed, never awaited by the hook.
 *
 * @module
 */

/** Connects to `port` on loopback and closes; a refused one is ignored. */
export function ping(port: number): void {
  Deno.connect({ hostname: "127.0.0.1", port }).then(
    (conn) => conn.close(),
    () => {},
  );
}
