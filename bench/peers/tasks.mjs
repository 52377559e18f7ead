// The peers' task module: the same trivial coroutine the pool benchmark
// dispatches, and a task that holds its worker so the pool is full.
//
// Piscina loads it as a worker thread (`filename`, named exports);
// workerpool forks it as a child process (`workerpool.worker`), told apart
// by the `WOOL_BENCH_PEER` environment variable the parent sets.

/** The trivial coroutine: adds two numbers. */
export async function add({ a, b }) {
  return await Promise.resolve(a + b);
}

/** Keeps its worker busy for `ms` milliseconds (a timer, no CPU). */
export async function hold({ ms }) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
}

// Imported by a name in a variable, which `deno check bench/` does not
// follow: workerpool is a Node package of bench/peers/node_modules.
const WORKERPOOL = "workerpool";

if (process.env.WOOL_BENCH_PEER === "workerpool") {
  const { default: workerpool } = await import(WORKERPOOL);
  workerpool.worker({
    add: (a, b) => add({ a, b }),
    hold: (ms) => hold({ ms }),
  });
}
