/**
 * Task routines that misbehave in ways a worker must survive, or report as
 * a typed error.
 *
 * @module
 */

/** Leaves a rejected promise no one handles, then answers normally. */
export function strayRejection(): string {
  Promise.reject(new Error("stray rejection from task code"));
  return "answered";
}

/** Throws from a timer after it has answered: an uncaught exception. */
export function strayThrow(): string {
  setTimeout(() => {
    throw new Error("stray throw from a timer in task code");
  }, 0);
  return "answered";
}

/** Throws an error whose `name` getter throws when it is read. */
export async function errorWithThrowingName(): Promise<never> {
  await Promise.resolve();
  const error = new Error("hostile error");
  Object.defineProperty(error, "name", {
    get() {
      throw new Error("the name getter exploded");
    },
  });
  throw error;
}

/** Throws a proxy of an error whose traps throw. */
export async function proxiedError(): Promise<never> {
  await Promise.resolve();
  throw new Proxy(new Error("proxied"), {
    ownKeys() {
      throw new Error("the ownKeys trap exploded");
    },
  });
}

/** Yields once, then throws an error whose `stack` getter throws. */
export async function* yieldsThenHostileError(): AsyncGenerator<number> {
  yield await Promise.resolve(1);
  const error = new Error("hostile error");
  Object.defineProperty(error, "stack", {
    get() {
      throw new Error("the stack getter exploded");
    },
  });
  throw error;
}
