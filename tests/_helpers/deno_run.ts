/**
 * Running a Deno program to its end, for tests that start a pool in a
 * process of its own (under given permission flags).
 *
 * @module
 */

/** How a program ended, and what it printed. */
export interface RunOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `deno run --no-prompt <args>` with the Deno running the tests, and
 * resolves once it exited.
 */
export async function denoRun(args: readonly string[]): Promise<RunOutput> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}
