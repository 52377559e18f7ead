/**
 * The Deno versions a pool refuses to start on, because they are known to
 * break wool, and the check `WorkerPool.start()` runs before it spawns
 * anything.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { WoolError } from "../errors.ts";

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

/** Options of {@linkcode assertSupportedDenoVersion}. */
export interface DenoVersionOptions {
  /**
   * Start on a Deno release known to break wool anyway (you have a patched
   * build, or accept the risk).
   *
   * @default {false}
   */
  readonly allowKnownBadDeno?: boolean;
}

/**
 * The running Deno is a release known to break wool; the message names the
 * version, the problem and the fix.
 *
 * @example Reading the refused version
 * ```ts
 * import { assertSupportedDenoVersion, UnsupportedDenoVersion } from "./deno_version.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => assertSupportedDenoVersion("2.9.5"), (error: unknown) => {
 *   assert.ok(error instanceof UnsupportedDenoVersion);
 *   assert.equal(error.version, "2.9.5");
 *   assert.match(error.message, /npm install -g deno@2\.9\.3/);
 *   assert.match(error.message, /allowKnownBadDeno: true/);
 *   return true;
 * });
 * ```
 */
export class UnsupportedDenoVersion extends WoolError {
  /** The running Deno version, as `Deno.version.deno` gives it. */
  readonly version: string;
  /** The known-bad range it falls in. */
  readonly range: KnownBadDenoRange;

  /** Builds the error for `version`, which falls in `range`. */
  constructor(version: string, range: KnownBadDenoRange) {
    super(
      `Cannot start worker pool: Deno ${version} ${range.problem} (Deno ${range.first}–${range.last} are affected). ` +
        `Install Deno ${RECOMMENDED_DENO_VERSION} (npm install -g deno@${RECOMMENDED_DENO_VERSION}), ` +
        `or pass allowKnownBadDeno: true to WorkerPool.start() to run on Deno ${version} anyway`,
    );
    this.version = version;
    this.range = range;
  }
}

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

/**
 * Fails when the running Deno is a release known to break wool, unless
 * `allowKnownBadDeno` is set.
 *
 * @example Passing on the recommended release
 * ```ts
 * import { assertSupportedDenoVersion } from "./deno_version.ts";
 *
 * assertSupportedDenoVersion("2.9.3");
 * assertSupportedDenoVersion("2.9.6", { allowKnownBadDeno: true });
 * ```
 *
 * @param version The Deno version to check; by default the running one.
 * @param options `allowKnownBadDeno` to run anyway.
 * @throws {UnsupportedDenoVersion} when `version` is known to break wool
 * and `allowKnownBadDeno` is not `true`.
 * @throws {TypeError} when `version` is not a string or
 * `allowKnownBadDeno` is not a boolean.
 */
export function assertSupportedDenoVersion(
  version: string = Deno.version.deno,
  options: DenoVersionOptions = {},
): void {
  const allow = options.allowKnownBadDeno ?? false;
  if (typeof allow !== "boolean") {
    throw new TypeError(
      `Cannot start worker pool: "allowKnownBadDeno" must be a boolean, received ${
        describeValue(allow)
      }`,
    );
  }
  const range = knownBadDenoRange(version);
  if (range !== undefined && !allow) {
    throw new UnsupportedDenoVersion(version, range);
  }
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
