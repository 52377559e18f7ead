/**
 * Task routines that call other tasks through their pool
 * (`currentPool()`), for the nested-call tests.
 *
 * @module
 */
import { ContextVar, currentPool } from "../../src/task/mod.ts";
import { currentTaskContext } from "../../src/task/task_context.ts";
import { waitAtGate } from "./tasks.ts";

type Self = typeof import("./nested_tasks.ts");
type Tasks = typeof import("./tasks.ts");

const TASKS = new URL("./tasks.ts", import.meta.url).href;

/** The tenant a call is made for, set by the test's caller. */
const tenant = new ContextVar<string>("tenant", { default: "(none)" });

function self() {
  return currentPool().remote<Self>(import.meta.url);
}

/** The sum of a range, and the process ids of the workers that added its pieces. */
export interface SumResult {
  readonly total: number;
  readonly pids: readonly number[];
}

/**
 * Sums the integers of [from, to): a range of at most `leaf` numbers is
 * added here; a larger one is split in two halves, summed by two nested
 * calls in parallel.
 */
export async function sum(
  from: number,
  to: number,
  leaf: number,
): Promise<SumResult> {
  if (to - from <= leaf) {
    let total = 0;
    for (let i = from; i < to; i++) total += i;
    return { total, pids: [Deno.pid] };
  }
  const middle = Math.floor((from + to) / 2);
  const [left, right] = await Promise.all([
    self().sum(from, middle, leaf),
    self().sum(middle, to, leaf),
  ]);
  return {
    total: left.total + right.total,
    pids: [...new Set([...left.pids, ...right.pids])],
  };
}

/** Calls itself `levels` more times; answers the depth the last one reached. */
export async function chain(levels: number, reached = 0): Promise<number> {
  if (levels === 0) return reached;
  return await self().chain(levels - 1, reached + 1);
}

/** Calls `export` of the test tasks with `args` as a child; answers what it returned, and who ran it. */
export async function callChild(
  exportName: string,
  args: unknown[],
): Promise<unknown> {
  return await currentPool().dispatch({
    module: TASKS,
    export: exportName,
    args,
  });
}

/** The pid and id of the task, and its caller's id as its child sees it. */
export function whoAmI(): { pid: number; id: string } {
  return { pid: Deno.pid, id: currentTaskContext()?.id ?? "" };
}

/** Calls {@linkcode whoAmI} as a child `times` times in a row; answers the parent's pid and id, and each child's. */
export async function childrenInTurn(times: number): Promise<{
  parent: { pid: number; id: string };
  children: { pid: number; id: string }[];
}> {
  const children = [];
  for (let i = 0; i < times; i++) children.push(await self().whoAmI());
  return { parent: whoAmI(), children };
}

/** Iterates the test tasks' `count(n)` as a child generator; answers what it yielded and returned. */
export async function collectChild(
  n: number,
): Promise<{ values: number[]; returned: unknown }> {
  const iterator = currentPool().remote<Tasks>(TASKS).count(n)
    [Symbol.asyncIterator]();
  const values: number[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { values, returned: step.value };
    values.push(step.value);
  }
}

/**
 * Arrives at the gate, then calls the test tasks' `waitForAbort(port)` as
 * a child and waits for it: aborting this task must abort the child.
 */
export async function parentOfWaiter(port: number): Promise<string> {
  return await currentPool().remote<Tasks>(TASKS).waitForAbort(port);
}

/**
 * Starts the test tasks' `waitForAbort(abortPort)` as a child and, without
 * awaiting it, waits at the gate on `gatePort`, then ends: its end must
 * abort the child.
 */
export async function leaveChildBehind(
  gatePort: number,
  abortPort: number,
): Promise<string> {
  const child = currentPool().remote<Tasks>(TASKS).waitForAbort(abortPort);
  child.catch(() => {});
  return await waitAtGate(gatePort, "left");
}

/** The tenant this task runs for. */
export function readTenant(): string {
  return tenant.get();
}

/**
 * The tenant as this task sees it, as a child sees it, and as a child sees
 * it after this task set it anew.
 */
export async function tenantTree(): Promise<{
  parent: string;
  child: string;
  afterSet: string;
}> {
  const parent = tenant.get();
  const child = await self().readTenant();
  tenant.set(`${parent}/sub`);
  const afterSet = await self().readTenant();
  return { parent, child, afterSet };
}

/**
 * Starts the test tasks' `waitForAbort(abortPort)` as a child, waits at
 * the gate on `gatePort`, then ends its worker's process: the loss of the
 * parent's worker must abort the child.
 */
export async function crashWithChild(
  gatePort: number,
  abortPort: number,
): Promise<never> {
  const child = currentPool().remote<Tasks>(TASKS).waitForAbort(abortPort);
  child.catch(() => {});
  await waitAtGate(gatePort, null);
  Deno.exit(3);
}

/**
 * Returns at once, and only then, in a later turn, tries a nested call;
 * reports to `port` how it ended: `ran`, or the name of its error.
 */
export function callAfterReturning(port: number): string {
  setTimeout(async () => {
    let outcome: string;
    try {
      await currentPool().remote<Tasks>(TASKS).add(1, 2);
      outcome = "ran";
    } catch (error) {
      outcome = (error as Error).name;
    }
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(`${outcome}\n`));
    conn.close();
  }, 0);
  return "returned";
}
