/**
 * Finds the routine a Task frame names: imports its module (once; later
 * tasks reuse the namespace) and looks up the export. A failure is a
 * `TaskLoadError` naming the module and export, sent back as a `nack`.
 *
 * @module
 */
import { describeErrorMessage, describeKind } from "../_util/describe.ts";
import {
  isRelativeSpecifier,
  relativeSpecifierAdvice,
  resolveModuleSpecifier,
} from "../_util/specifier.ts";
import { TaskLoadError } from "../wire/task_load_error.ts";

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
   *
   * @throws {TaskLoadError} when the module cannot be imported, has no such
   * export, or the export is not a function (a promise rejects with it when
   * the module is imported now).
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
    if (isRelativeSpecifier(module)) {
      // The pool refuses these; another client may send one. Resolving it
      // against this worker's cwd would load some other file, or none.
      throw new TaskLoadError(
        module,
        exportName,
        relativeSpecifierAdvice(module),
      );
    }
    let namespace: Record<string, unknown>;
    try {
      namespace = await import(resolveModuleSpecifier(module));
    } catch (error) {
      throw new TaskLoadError(
        module,
        exportName,
        `the module cannot be imported: ${describeErrorMessage(error)}`,
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
    throw new TaskLoadError(
      module,
      exportName,
      `the module has no export "${exportName}" (exports: ${exports})`,
    );
  }
  const routine = namespace[exportName];
  if (typeof routine !== "function") {
    throw new TaskLoadError(
      module,
      exportName,
      `the export is ${describeKind(routine)}, not a function`,
    );
  }
  return routine as Routine;
}
