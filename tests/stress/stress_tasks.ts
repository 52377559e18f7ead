/**
 * The task and hook of the stress run. Each accepted task appends its
 * number to a log file (one `write` of one short line, with O_APPEND, so
 * lines from many processes never interleave); the run reads the log back
 * to prove every accepted task ran exactly once and no rejected one ran.
 *
 * @module
 */
import type { BackpressureContext } from "../../mod.ts";

let log: Deno.FsFile | undefined;
const encoder = new TextEncoder();

/** Records that task `n` ran, then answers `n`. */
export async function record(n: number, logPath: string): Promise<number> {
  log ??= await Deno.open(logPath, { append: true, create: true });
  await log.write(encoder.encode(`${n}\n`));
  return n;
}

/** Rejects every task whose number is a multiple of 7, in every worker. */
export default function rejectSevens(ctx: BackpressureContext): boolean {
  return (ctx.task.args[0] as number) % 7 === 0;
}
