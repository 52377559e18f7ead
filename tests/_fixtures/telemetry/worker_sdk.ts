/**
 * The real OpenTelemetry SDK of a worker process under test, with
 * in-memory exporters: registered when this module is first imported
 * (preloaded into a worker with `--preload`, before it serves), read by the tasks of
 * `traced_tasks.ts`, which share this module instance.
 *
 * @module
 */
import { OtelSdk } from "../../_helpers/otel_sdk.ts";

/** The worker's SDK: spans and metrics recorded in this process. */
export const workerSdk: OtelSdk = OtelSdk.register({ asyncContext: true });
