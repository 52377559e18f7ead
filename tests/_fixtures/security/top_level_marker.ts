/**
 * A task module whose top-level code leaves a mark: imported as
 * `top_level_marker.ts?marker=<path>`, it writes `<path>` as it is
 * evaluated, before any of its exports is called. Each distinct query is
 * a module of its own, evaluated once.
 *
 * @module
 */
const marker = new URL(import.meta.url).searchParams.get("marker");
if (marker !== null) Deno.writeTextFileSync(marker, "imported");

/** A routine to name in a task. */
export async function run(): Promise<string> {
  return await Promise.resolve("ran");
}
