/**
 * A cross-process latch for tests: tasks in workers connect to the gate's
 * loopback port (see `tests/_fixtures/tasks.ts` `waitAtGate`) and block
 * until the test releases them. The test learns that a task is running by
 * its arrival, so nothing has to sleep.
 *
 * @module
 */

/** A loopback listener that holds arriving tasks until released. */
export class Gate implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #held: Deno.TcpConn[] = [];
  readonly #accepting: Promise<void>;
  #arrivals = 0;
  #waiters: { count: number; resolve: () => void }[] = [];
  #open = false;

  private constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** Opens a gate on an ephemeral loopback port. */
  static open(): Gate {
    return new Gate();
  }

  /** The port tasks connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** How many tasks have arrived so far. */
  get arrivals(): number {
    return this.#arrivals;
  }

  /** Resolves once `count` tasks in all have arrived. */
  arrived(count: number): Promise<void> {
    if (this.#arrivals >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Lets every held task go, and every later arrival pass at once. */
  async release(): Promise<void> {
    this.#open = true;
    const held = this.#held.splice(0);
    await Promise.all(held.map((conn) => letGo(conn)));
  }

  /** Lets the earliest `count` held tasks go. */
  async releaseSome(count: number): Promise<void> {
    const held = this.#held.splice(0, count);
    await Promise.all(held.map((conn) => letGo(conn)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
    this.#listener.close();
    await this.#accepting;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#arrivals++;
        if (this.#open) await letGo(conn);
        else this.#held.push(conn);
        this.#waiters = this.#waiters.filter((waiter) => {
          if (this.#arrivals < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}

async function letGo(conn: Deno.TcpConn): Promise<void> {
  try {
    await conn.write(new Uint8Array([1]));
  } catch {
    // The task went away (cancelled, or its worker died): nothing to release.
  }
  conn.close();
}
