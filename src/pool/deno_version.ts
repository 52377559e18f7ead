/**
 * The check `WorkerPool.start()` runs before it spawns anything: it
 * refuses the Deno versions known to break wool (listed in
 * `src/_util/known_bad_deno.ts`, which the standalone worker checks too).
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import {
  type KnownBadDenoRange,
  knownBadDenoRange,
  RECOMMENDED_DENO_VERSION,
} from "../_util/known_bad_deno.ts";
import { WoolError } from "../errors.ts";

export {
  KNOWN_BAD_DENO_VERSIONS,
  type KnownBadDenoRange,
  knownBadDenoRange,
  RECOMMENDED_DENO_VERSION,
} from "../_util/known_bad_deno.ts";

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
