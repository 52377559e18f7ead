/**
 * Finds the routine a Task frame names: imports its module (once; later
 * tasks reuse the namespace) and looks up the export. A failure is a typed
 * error naming the module and export, sent back as a `nack`.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import { resolveModuleSpecifier } from "../_util/specifier.ts";

/** A task routine: an async function or an async generator function. */
export type Routine = (...args: unknown[]) => unknown;

/** Imports task modules and resolves their exports. */
export class RoutineLoader {
  readonly #modules = new Map<string, Record<string, unknown>>();
  /** Routines found before, by module and then export name: the hot path. */
  readonly #routines = new Map<string, Map<string, Routine>>();

  /**
   * The routine `exportName` of `module`. Synchronous when the module was
   * imported before, and a lookup when the routine was found before.
   */
  load(module: string, exportName: string): Routine | Promise<Routine> {
    const known = this.#routines.get(module)?.get(exportName);
    if (known) return known;
    const namespace = this.#modules.get(module);
    if (namespace) return this.#pick(namespace, module, exportName);
    return this.#import(module, exportName).then((loaded) =>
      this.#pick(loaded, module, exportName)
    );
  }

  #pick(
    namespace: Record<string, unknown>,
    module: string,
    exportName: string,
  ): Routine {
    const routine = pickRoutine(namespace, module, exportName);
    let routines = this.#routines.get(module);
    if (!routines) this.#routines.set(module, routines = new Map());
    routines.set(exportName, routine);
    return routine;
  }

  async #import(
    module: string,
    exportName: string,
  ): Promise<Record<string, unknown>> {
    let namespace: Record<string, unknown>;
    try {
      namespace = await import(resolveModuleSpecifier(module));
    } catch (error) {
      throw new TypeError(
        `Cannot load task module "${module}" for "${exportName}": ${
          describeErrorMessage(error)
        }`,
        { cause: error },
      );
    }
    this.#modules.set(module, namespace);
    return namespace;
  }
}

function pickRoutine(
  namespace: Record<string, unknown>,
  module: string,
  exportName: string,
): Routine {
  if (!Object.hasOwn(namespace, exportName)) {
    const exports = Object.keys(namespace).join(", ") || "none";
    throw new TypeError(
      `Cannot run "${exportName}" from "${module}": the module has no export "${exportName}" (exports: ${exports})`,
    );
  }
  const routine = namespace[exportName];
  if (typeof routine !== "function") {
    throw new TypeError(
      `Cannot run "${exportName}" from "${module}": the export is ${typeof routine}, not a function`,
    );
  }
  return routine as Routine;
}
