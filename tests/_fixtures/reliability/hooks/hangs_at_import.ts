/**
 * A hook module whose top-level await never settles, as an import waiting
 * on a resource that never answers: only the pool's start timeout ends the
 * worker. It records the worker's pid first (see `records_pid.ts`).
 *
 * @module
 */
import "../../hooks/records_pid.ts";

await new Promise(() => {
  setInterval(() => {}, 60_000);
});

/** Never reached. */
export default function accept(): boolean {
  return false;
}
