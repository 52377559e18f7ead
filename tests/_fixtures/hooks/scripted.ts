/**
 * The admission tests' shared hook. What it answers is scripted by the
 * task's tag, so one module serves every admission test; the factory's
 * options add a rule for untagged tasks.
 *
 * | `ctx.task.tag` | answer                                                   |
 * | -------------- | -------------------------------------------------------- |
 * | `"reject"`     | `{ reject: true, reason: "tagged reject" }`              |
 * | `"true"`       | `true` (a bare verdict)                                  |
 * | `"throw"`      | throws `TypeError("tagged throw")`                       |
 * | `"async-throw"`| a promise rejecting with `RangeError("tagged async throw")` |
 * | `"hang"`       | a promise that never settles                             |
 * | `"report"`     | `{ reject: true, reason: <JSON of {@linkcode ContextReport}> }` |
 * | anything else  | the options' rule (see {@linkcode ScriptedOptions}), else `false` |
 *
 * The default export answers synchronously with no options; `asyncHook`
 * answers the same through a promise settled on a later macrotask.
 *
 * @module
 */
import type {
  BackpressureContext,
  BackpressureHook,
  Verdict,
} from "../../../src/backpressure/types.ts";
import { ping } from "./_ping.ts";

/** Options of {@linkcode scripted}. */
export interface ScriptedOptions {
  /** Rejects an untagged task once `limit` tasks are in the docket. */
  readonly limit?: number;
  /**
   * A file the first worker to create it claims (its pid is written in
   * it): that worker rejects every untagged task, the others accept. So
   * exactly one worker of a pool rejects.
   */
  readonly claimFile?: string;
  /**
   * A loopback port (a test's `Gate`) the hook connects to once per
   * rejection, so the test learns that a rejection happened.
   */
  readonly notifyPort?: number;
  /**
   * Answers through a promise, after a macrotask turn between reading
   * `activeTaskCount` and answering: without a serialising admission gate,
   * other tasks would be decided meanwhile on the same count.
   */
  readonly slow?: boolean;
}

/** What a `"report"` rejection tells the caller about the context. */
export interface ContextReport {
  readonly activeTaskCount: number;
  readonly keys: string[];
  readonly task: {
    readonly id: string;
    readonly module: string;
    readonly export: string;
    readonly tag?: string;
    readonly caller?: string;
    readonly timeoutMs?: number;
    readonly keys: string[];
    /** Each argument as the hook sees it, e.g. `Map{"k"=>3}`. */
    readonly args: string[];
  };
  readonly frozen: { ctx: boolean; task: boolean; args: boolean };
  /** Whether each strict-mode mutation attempt threw a `TypeError`. */
  readonly mutationThrew: {
    activeTaskCount: boolean;
    taskTag: boolean;
    argsPush: boolean;
  };
  readonly pid: number;
}

/**
 * Makes the scripted hook with a rule for untagged tasks.
 *
 * @param options The rule; `{}` for none.
 * @returns The hook.
 */
export function scripted(options: ScriptedOptions = {}): BackpressureHook {
  const claimed = options.claimFile === undefined
    ? false
    : claim(options.claimFile);
  const rule = (ctx: BackpressureContext, count: number): Verdict => {
    const verdict = byTag(ctx) ?? byOptions(options, claimed, count);
    if (rejects(verdict) && options.notifyPort !== undefined) {
      ping(options.notifyPort);
    }
    return verdict;
  };
  if (!options.slow) return (ctx) => rule(ctx, ctx.activeTaskCount);
  return async (ctx) => {
    const count = ctx.activeTaskCount;
    await macrotask();
    return rule(ctx, count);
  };
}

const sync = scripted();

/** The scripted hook with no options, answering synchronously. */
export default function scriptedHook(ctx: BackpressureContext) {
  return sync(ctx);
}

/** The scripted hook with no options, answering through a promise. */
export async function asyncHook(ctx: BackpressureContext): Promise<Verdict> {
  await macrotask();
  return await sync(ctx);
}

function byTag(ctx: BackpressureContext): Verdict | undefined {
  switch (ctx.task.tag) {
    case "reject":
      return { reject: true, reason: "tagged reject" };
    case "true":
      return true;
    case "throw":
      throw new TypeError("tagged throw");
    case "async-throw":
      return Promise.reject(
        new RangeError("tagged async throw"),
      ) as unknown as Verdict;
    case "hang":
      return new Promise<Verdict>(() => {}) as unknown as Verdict;
    case "report":
      return { reject: true, reason: JSON.stringify(report(ctx)) };
    default:
      return undefined;
  }
}

function byOptions(
  options: ScriptedOptions,
  claimed: boolean,
  count: number,
): Verdict {
  if (claimed) return { reject: true, reason: `claimed by ${Deno.pid}` };
  if (options.limit !== undefined && count >= options.limit) {
    return { reject: true, reason: `cap ${options.limit} reached at ${count}` };
  }
  return false;
}

function rejects(verdict: Verdict): boolean {
  return verdict === true ||
    (typeof verdict === "object" && verdict !== null && "reject" in verdict &&
      verdict.reject === true);
}

function claim(path: string): boolean {
  try {
    Deno.writeTextFileSync(path, `${Deno.pid}\n`, { createNew: true });
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function report(ctx: BackpressureContext): ContextReport {
  const { task } = ctx;
  return {
    activeTaskCount: ctx.activeTaskCount,
    keys: Object.keys(ctx).sort(),
    task: {
      id: task.id,
      module: task.module,
      export: task.export,
      tag: task.tag,
      caller: task.caller,
      timeoutMs: task.timeoutMs,
      keys: Object.keys(task).sort(),
      args: task.args.map(describeArg),
    },
    frozen: {
      ctx: Object.isFrozen(ctx),
      task: Object.isFrozen(task),
      args: Object.isFrozen(task.args),
    },
    mutationThrew: {
      activeTaskCount: throwsTypeError(() => {
        (ctx as { activeTaskCount: number }).activeTaskCount = 99;
      }),
      taskTag: throwsTypeError(() => {
        (task as { tag?: string }).tag = "changed";
      }),
      argsPush: throwsTypeError(() => {
        (task.args as unknown[]).push("extra");
      }),
    },
    pid: Deno.pid,
  };
}

function throwsTypeError(mutate: () => void): boolean {
  try {
    mutate();
    return false;
  } catch (error) {
    return error instanceof TypeError;
  }
}

function describeArg(arg: unknown): string {
  if (arg instanceof Map) {
    return `Map{${
      [...arg].map(([k, v]) => `${JSON.stringify(k)}=>${String(v)}`).join(",")
    }}`;
  }
  if (arg instanceof Set) return `Set{${[...arg].map(String).join(",")}}`;
  if (arg instanceof Date) return `Date(${arg.getTime()})`;
  if (typeof arg === "bigint") return `${arg}n`;
  if (arg instanceof Uint8Array) return `Uint8Array[${[...arg].join(",")}]`;
  return JSON.stringify(arg);
}
