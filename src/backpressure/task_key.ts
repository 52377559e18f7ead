/**
 * What tells tasks apart for sharing: a context variable's value, or the
 * task's tag. `fairShare` keys its shares by it in a worker; a pool keys
 * its queues of calls waiting for capacity by it (`admissionWaitKey`).
 *
 * @module
 */
import type { Task } from "./types.ts";

/** The key of tasks that carry no value for it. */
export const NO_KEY = "";

/**
 * Reads a task's key: `"tag"` reads its tag; any other name, the value of
 * that context variable in `task.context`. A string is the key itself; a
 * number, boolean or bigint counts as its `String()`; tasks with no value,
 * or another kind of value, share the key `""`.
 *
 * @example Keys by tenant
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskKeyReader } from "./task_key.ts";
 *
 * const keyOf = taskKeyReader("tenant");
 * const task = { id: "t", module: "m", export: "e", args: [], context: { tenant: "acme" } };
 * assert.equal(keyOf(task), "acme");
 * assert.equal(keyOf({ ...task, context: {} }), "");
 * assert.equal(taskKeyReader("tag")({ ...task, tag: "bulk" }), "bulk");
 * ```
 *
 * @param name A context variable's name, or `"tag"`.
 * @returns The reader.
 */
export function taskKeyReader(name: string): (task: Task) => string {
  return name === "tag"
    ? (task) => task.tag ?? NO_KEY
    : (task) => contextKey(task, name);
}

function contextKey(task: Task, name: string): string {
  const value = task.context?.[name];
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return NO_KEY;
  }
}
