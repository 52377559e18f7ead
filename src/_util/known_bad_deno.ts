/**
 * The Deno releases known to break wool, shared by the pool
 * (`WorkerPool.start()` refuses them) and the standalone worker (which
 * refuses to start on them): the list, and which range a version falls in.
 *
 * @module
 */
import { describeValue } from "./describe.ts";

/** A range of Deno releases known to break wool, and how. */
export interface KnownBadDenoRange {
  /** The first affected release, `major.minor.patch`. */
  readonly first: string;
  /** The last affected release, `major.minor.patch`. */
  readonly last: string;
  /** What goes wrong, as a clause: "Deno X <problem>". */
  readonly problem: string;
}

/**
 * The Deno releases wool refuses by default. Deno 2.9.4–2.9.6 abort a
 * process serving HTTP/2 (grpc-js or `node:http2`) with `free(): invalid
 * pointer` (exit 134) when a client connection closes after ~150 calls:
 * every wool worker is such a process.
 * `tests/integration/connection_churn_test.ts` reproduces it.
 */
export const KNOWN_BAD_DENO_VERSIONS: readonly KnownBadDenoRange[] = Object
  .freeze([
    Object.freeze({
      first: "2.9.4",
      last: "2.9.6",
      problem:
        "aborts a process serving HTTP/2 (free(): invalid pointer, exit code 134) when a client connection closes after about 150 calls, which kills wool workers",
    }),
  ]);

/** The Deno release wool is tested on and recommends. */
export const RECOMMENDED_DENO_VERSION = "2.9.3";

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/;

/**
 * The known-bad range a Deno version falls in, if any.
 *
 * Only the `major.minor.patch` core counts: a canary (`2.9.5+1a2b3c4`) or a
 * pre-release (`2.9.4-rc.1`) of an affected release is affected too. A
 * version that is not in that form is not known to be bad.
 *
 * @param version A Deno version, e.g. `Deno.version.deno`.
 * @returns The range, or `undefined` when the version is not known to be
 * bad.
 * @throws {TypeError} when `version` is not a string.
 */
export function knownBadDenoRange(
  version: string,
): KnownBadDenoRange | undefined {
  if (typeof version !== "string") {
    throw new TypeError(
      `Cannot start worker pool: the Deno version must be a string, received ${
        describeValue(version)
      }`,
    );
  }
  const core = parseCore(version);
  if (core === undefined) return undefined;
  return KNOWN_BAD_DENO_VERSIONS.find((range) =>
    compare(core, parseCore(range.first)!) >= 0 &&
    compare(core, parseCore(range.last)!) <= 0
  );
}

type Core = readonly [number, number, number];

function parseCore(version: string): Core | undefined {
  const match = VERSION.exec(version);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a: Core, b: Core): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
