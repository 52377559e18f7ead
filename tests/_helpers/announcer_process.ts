/**
 * A worker's NATS announcer in its own process
 * (`tests/_fixtures/discovery/announce.ts`), so a test can end it the ways
 * a worker ends: SIGTERM (a clean drain: it leaves), SIGKILL (a crash: it
 * just stops renewing), SIGSTOP/SIGCONT (a pause, as a partition looks).
 *
 * @module
 */
import type { NatsAnnouncerOptions } from "../../src/worker/nats_announcer.ts";
import { EngineProcess } from "./engines.ts";

const FIXTURE = new URL("../_fixtures/discovery/announce.ts", import.meta.url);

/** A running announcer process; disposing it kills and reaps it. */
export class AnnouncerProcess implements AsyncDisposable {
  readonly #process: EngineProcess;

  private constructor(process: EngineProcess) {
    this.#process = process;
  }

  /** Starts announcing; resolves once the first announcement is out. */
  static async start(
    options: Omit<NatsAnnouncerOptions, "onError">,
  ): Promise<AnnouncerProcess> {
    const process = EngineProcess.spawn(Deno.execPath(), [
      "run",
      "-A",
      FIXTURE.pathname,
      JSON.stringify(options),
    ]);
    const announcer = new AnnouncerProcess(process);
    try {
      await process.waitForLine((line) => line === "announced");
    } catch (error) {
      await process.stop();
      throw error;
    }
    return announcer;
  }

  /** Sends `signal` to the process. */
  kill(signal: Deno.Signal): void {
    this.#process.kill(signal);
  }

  /** Drains it (SIGTERM): resolves with its status once it left and exited. */
  async drain(): Promise<{ status: Deno.CommandStatus; log: string }> {
    const status = await this.#process.stop();
    return { status, log: this.#process.log };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#process.kill("SIGKILL");
    await this.#process.stop();
  }
}
