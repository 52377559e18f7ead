/**
 * A loopback listener that collects the lines tasks send it (see
 * `waitForAbort` in `tests/_fixtures/tasks.ts`), so a test can read what
 * happened inside a worker, e.g. that a task's signal aborted, and why.
 *
 * @module
 */

/** Collects lines sent by tasks over loopback connections. */
export class Inbox implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #open = new Set<Deno.TcpConn>();
  readonly #reading = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #lines: string[] = [];
  #waiters: ((line: string) => void)[] = [];
  #arrivals = 0;
  #arrivalWaiters: { count: number; resolve: () => void }[] = [];

  private constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** Opens an inbox on an ephemeral loopback port. */
  static open(): Inbox {
    return new Inbox();
  }

  /** The port tasks connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Resolves once `count` connections in all have arrived. */
  arrived(count: number): Promise<void> {
    if (this.#arrivals >= count) return Promise.resolve();
    return new Promise((resolve) =>
      this.#arrivalWaiters.push({ count, resolve })
    );
  }

  /** The next line received, in arrival order. */
  next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch {
        // Closed by its reader meanwhile.
      }
    }
    await Promise.all(this.#reading);
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#arrivals++;
        this.#arrivalWaiters = this.#arrivalWaiters.filter((waiter) => {
          if (this.#arrivals < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        const reading = this.#read(conn).finally(() =>
          this.#reading.delete(reading)
        );
        this.#reading.add(reading);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  async #read(conn: Deno.TcpConn): Promise<void> {
    this.#open.add(conn);
    let text = "";
    try {
      for await (
        const chunk of conn.readable.pipeThrough(new TextDecoderStream())
      ) {
        text += chunk;
        let newline = text.indexOf("\n");
        while (newline >= 0) {
          this.#deliver(text.slice(0, newline));
          text = text.slice(newline + 1);
          newline = text.indexOf("\n");
        }
      }
    } catch {
      // The task's worker went away, or the inbox closed: nothing to read.
    } finally {
      this.#open.delete(conn);
    }
  }

  #deliver(line: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(line);
    else this.#lines.push(line);
  }
}
