/**
 * What a worker does when its hook's `settled` throws (or the promise it
 * returned rejects): it says so once on stderr, with the error, and keeps
 * serving. A hook that fails on every task would otherwise flood the log
 * at the task rate; later failures are counted, not printed.
 *
 * @module
 */
import { describeError } from "../_util/describe.ts";

/**
 * Makes the `onSettledError` of a worker's hook: reports the first error
 * on stderr, labelled with `label`, and stays silent after.
 *
 * @param label Who speaks: e.g. `"wool worker w1"`.
 * @param write Where the line goes.
 * @returns The reporter, and how many errors it has heard.
 */
export function reportSettledErrorsOnce(
  label: string,
  write: (line: string) => void = (line) => console.error(line),
): { readonly report: (error: unknown) => void; readonly count: () => number } {
  let count = 0;
  return {
    report(error: unknown): void {
      count++;
      if (count > 1) return;
      write(
        `${label}: the backpressure hook's settled() failed; the worker keeps serving, and reports no further failure of it: ${
          describeError(error)
        }`,
      );
    },
    count: () => count,
  };
}
