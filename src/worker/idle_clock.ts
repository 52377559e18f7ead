/**
 * Time since a worker's docket last emptied, as the `Idle` RPC reports it.
 *
 * @module
 */

/** Tracks when the docket last became empty. */
export class IdleClock {
  #emptySince: number | undefined = performance.now();

  /** The docket now holds at least one task. */
  markBusy(): void {
    this.#emptySince = undefined;
  }

  /** The docket just became empty. */
  markEmpty(): void {
    this.#emptySince = performance.now();
  }

  /** Seconds since the docket last emptied; 0 while it holds a task. */
  idleSeconds(): number {
    if (this.#emptySince === undefined) return 0;
    return (performance.now() - this.#emptySince) / 1000;
  }
}
