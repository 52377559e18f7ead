/**
 * One section of `bench/run.ts` measured in a Deno process of its own.
 *
 * A full run measures each section in a fresh process, so none measures
 * what an earlier one left in the caller: after `floors`, `pool`,
 * `rejection` and `overload` the bench's process held a heap of 160 MB
 * (71 MB live), and a 2-worker pool's start-up measured in it took 149–158
 * ms against 141–146 ms in a process of its own (same machine, same hour).
 * A program starting a pool does not look like the first; the figures are
 * meant for the second.
 *
 * The child is `bench/run.ts` itself, given `--only <section>` and
 * `--section-out <file>`: it measures, writes what it measured to the file
 * with V8's serializer (so `NaN` and `undefined` come back as they were, as
 * JSON would not keep them), and exits; the parent reads the file. It
 * also exits within half a second of its parent's death
 * (`exitWhenOrphaned`), so a killed run leaves nothing behind.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What one section measured, as a child process hands it back. */
export interface SectionOutput<R> {
  /** The part of the bench's results the section fills. */
  readonly results: R;
  /** How long each of its parts took, and the load average after it. */
  readonly timings: Record<string, { ms: number; loadAverage: number[] }>;
  /** The process the section ran in. */
  readonly pid: number;
}

/** The flag that makes `bench/run.ts` a section's child process. */
export const SECTION_OUT_FLAG = "section-out";

/**
 * Runs `script --only <section> --section-out <file> ...flags` in a new
 * Deno process (its output passed through) and returns what it wrote.
 * Aborting `signal` kills the child.
 *
 * @throws {Error} naming the section when the child fails or writes
 * nothing.
 */
export async function measureInChild<R>(
  script: URL,
  section: string,
  flags: readonly string[],
  signal?: AbortSignal,
): Promise<SectionOutput<R>> {
  const dir = await Deno.makeTempDir({ prefix: "wool-bench-" });
  const out = join(dir, `${section}.v8`);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        fileURLToPath(script),
        "--only",
        section,
        `--${SECTION_OUT_FLAG}`,
        out,
        ...flags,
      ],
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const kill = () => child.kill();
    if (signal?.aborted) kill();
    else signal?.addEventListener("abort", kill, { once: true });
    let code: number;
    try {
      ({ code } = await child.status);
    } finally {
      signal?.removeEventListener("abort", kill);
    }
    if (code !== 0) {
      throw new Error(
        `bench: the "${section}" section failed in its own process (exit code ${code})`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(out);
    } catch (error) {
      throw new Error(
        `bench: the "${section}" section's process exited without writing its results`,
        { cause: error },
      );
    }
    return deserialize(bytes) as SectionOutput<R>;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes a section's output for the parent (the child's side). */
export async function writeSectionOutput<R>(
  file: string,
  output: SectionOutput<R>,
): Promise<void> {
  await Deno.writeFile(file, serialize(output));
}

/** How often a section's process checks that its parent is alive. */
const ORPHAN_CHECK_MS = 500;

/**
 * Ends this process (exit code 1) once its parent has died (it is then
 * another process's child): a section's process calls it first, so it
 * does not outlive a bench run that was killed. (Its stdin is not held
 * open for this, as a worker's is: a pipe to the section left open by the
 * bench is one more thing to close in the right order.)
 */
export function exitWhenOrphaned(): void {
  const parent = Deno.ppid;
  const check = setInterval(() => {
    if (Deno.ppid !== parent) Deno.exit(1);
  }, ORPHAN_CHECK_MS);
  Deno.unrefTimer(check);
}
