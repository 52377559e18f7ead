import { WoolError } from "../errors.ts";

/**
 * A bad command line: an unknown flag, a missing or malformed value, or
 * flags that do not go together. The worker prints it and exits with
 * {@linkcode WorkerUsageError.exitCode}.
 *
 * @example Reading which flag was wrong
 * ```ts
 * import { parseWorkerArgs } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseWorkerArgs(["--listen", "127.0.0.1:0", "--grace-ms", "soon", "--insecure"]);
 * assert.equal(parsed.kind, "usage");
 * if (parsed.kind === "usage") {
 *   assert.equal(parsed.error.flag, "--grace-ms");
 *   assert.equal(parsed.error.exitCode, 2);
 * }
 * ```
 */
export class WorkerUsageError extends WoolError {
  /** The flag at fault, when one is. */
  readonly flag: string | undefined;
  /** The exit code of a usage error. */
  readonly exitCode = 2;

  /** Builds the error; `flag` leads the message when given. */
  constructor(flag: string | undefined, problem: string) {
    super(`${flag === undefined ? "" : `${flag}: `}${problem} (see --help)`);
    this.flag = flag;
  }
}
