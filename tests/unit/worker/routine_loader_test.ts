import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { RoutineLoader } from "../../../src/worker/routine_loader.ts";
import { TaskLoadError } from "../../../src/wire/task_load_error.ts";

const TASKS = import.meta.resolve("../../_fixtures/tasks.ts");

/** The error `load()` fails with, synchronously or not. */
async function loadError(
  loader: RoutineLoader,
  module: string,
  exportName: string,
): Promise<TaskLoadError> {
  try {
    await loader.load(module, exportName);
  } catch (error) {
    assert.ok(error instanceof TaskLoadError, `got ${error}`);
    return error;
  }
  return assert.fail(`loaded "${exportName}" from "${module}"`);
}

Deno.test("RoutineLoader.load() finds an export of a module given by URL or absolute path", async () => {
  const loader = new RoutineLoader();
  const byUrl = await loader.load(TASKS, "add");
  assert.equal(await byUrl(1, 2), 3);
  const byPath = await loader.load(fileURLToPath(TASKS), "add");
  assert.equal(await byPath(2, 3), 5);
});

Deno.test("RoutineLoader.load() refuses a relative specifier with a TaskLoadError saying to pass import.meta.resolve() of it, importing nothing", async () => {
  const loader = new RoutineLoader();
  for (const module of ["./tasks.ts", "../_fixtures/tasks.ts"]) {
    const error = await loadError(loader, module, "add");
    assert.equal(error.module, module);
    assert.equal(error.export, "add");
    assert.equal(error.cause, undefined, "no import was tried");
    assert.equal(
      error.message,
      `Cannot run "add" from "${module}": the relative specifier "${module}" cannot be resolved against your module by a worker, which receives only the string: pass import.meta.resolve("${module}") (or a URL) instead`,
    );
  }
});

Deno.test("RoutineLoader.load() fails with a TaskLoadError for a missing export or one that is not a function", async () => {
  const loader = new RoutineLoader();
  const missing = await loadError(loader, TASKS, "noSuchExport");
  assert.match(missing.message, /the module has no export "noSuchExport"/);
  const notAFunction = await loadError(loader, TASKS, "notAFunction");
  assert.match(notAFunction.message, /the export is a number, not a function/);
});

Deno.test("RoutineLoader.load() fails with a TaskLoadError whose cause is the import's error for a module that does not import", async () => {
  const module = import.meta.resolve("../../_fixtures/no_such_module.ts");
  const error = await loadError(new RoutineLoader(), module, "add");
  assert.match(error.message, /the module cannot be imported: /);
  assert.ok(error.cause instanceof Error);
});
