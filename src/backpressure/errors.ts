/**
 * Errors of the backpressure layer.
 *
 * @module
 */
import { WoolError } from "../errors.ts";

/** The fields of a {@linkcode HookLoadError}. */
export interface HookLoadErrorOptions {
  /** The hook's module specifier, as the spec gave it. */
  readonly module: string;
  /** The export the spec named. */
  readonly export: string;
  /** The underlying failure. */
  readonly cause: unknown;
}

/**
 * A worker could not load its backpressure hook: the module failed to
 * import, has no such export, the export is not a function, or its factory
 * threw or returned something other than a hook function. The worker
 * reports it, and `WorkerPool.start` fails with a `WorkerStartError`.
 */
export class HookLoadError extends WoolError {
  /** The hook's module specifier, as the spec gave it. */
  readonly module: string;
  /** The export the spec named. */
  readonly export: string;
  /** The underlying failure. */
  declare readonly cause: unknown;

  /**
   * Builds the error.
   *
   * @param message The full message, naming the module, export and cause.
   * @param options The module, export and underlying cause.
   */
  constructor(message: string, options: HookLoadErrorOptions) {
    super(message, { cause: options.cause });
    this.module = options.module;
    this.export = options.export;
  }
}
