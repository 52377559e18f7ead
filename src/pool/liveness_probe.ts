/**
 * The pool's probe of one worker: an `Idle` RPC at a fixed interval. An
 * answer carries the worker's resident set size (read for recycling); no
 * answer within the limit means the worker's event loop is stuck (a task in
 * a synchronous loop), when the pool watches for that. An `UNAUTHENTICATED`
 * answer means the worker refuses the pool's credentials: it is not hung,
 * it does not serve this pool.
 *
 * @module
 */
import type { IdleReport } from "../connection/worker_connection.ts";
import { classifyStatus } from "../wire/status.ts";

/** What a probe asks and tells. */
export interface LivenessProbeOptions {
  /** Sends one `Idle` RPC, failing after `timeoutMs`. */
  readonly idle: (timeoutMs: number) => Promise<IdleReport>;
  /** Milliseconds between the end of one probe and the next. */
  readonly intervalMs: number;
  /**
   * Milliseconds the worker gets to answer; 0: an unanswered probe is only
   * tried again (the pool does not watch for hung workers), with
   * `intervalMs` to answer.
   */
  readonly unresponsiveMs: number;
  /** Whether the worker is still to be probed; asked before each probe. */
  readonly probed: () => boolean;
  /** The worker answered. */
  readonly onReport: (report: IdleReport) => void;
  /** The worker did not answer within `unresponsiveMs`; probing stops. */
  readonly onUnresponsive: () => void;
  /**
   * The worker answered `UNAUTHENTICATED`: it refuses the pool's
   * credentials; probing stops.
   */
  readonly onRefused: () => void;
}

/** A running probe; stop it when the worker goes. */
export interface LivenessProbe {
  stop(): void;
}

/** Starts probing a worker; the first probe is one interval from now. */
export function startLivenessProbe(
  options: LivenessProbeOptions,
): LivenessProbe {
  const { intervalMs, unresponsiveMs } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const probe = async () => {
    if (stopped || !options.probed()) return;
    let report: IdleReport;
    try {
      report = await options.idle(unresponsiveMs || intervalMs);
    } catch (error) {
      if (stopped || !options.probed()) return;
      if (refusedCredentials(error)) options.onRefused();
      else if (unresponsiveMs > 0) options.onUnresponsive();
      else schedule();
      return;
    }
    if (stopped) return;
    options.onReport(report);
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void probe(), intervalMs);
    Deno.unrefTimer(timer as unknown as number);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** True for the error of a call the worker refused as unauthenticated. */
function refusedCredentials(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" && classifyStatus(code) === "unauthenticated";
}
