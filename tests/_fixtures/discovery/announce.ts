/**
 * A worker's announcer as its own process, for tests that kill it: takes
 * `NatsAnnouncerOptions` (without `onError`) as JSON in its first
 * argument, prints `announced` once the first announcement reached the
 * server, and on SIGTERM leaves cleanly, prints `left` and exits 0. A
 * SIGKILL ends it without a leave, as a crashed worker ends.
 *
 * @module
 */
import { NatsAnnouncer } from "../../../src/worker/nats_announcer.ts";

const announcer = NatsAnnouncer.start({
  ...JSON.parse(Deno.args[0]),
  onError: (error) => console.error(error.message),
});
const terminated = new Promise<void>((resolve) =>
  Deno.addSignalListener("SIGTERM", resolve)
);
await announcer.announced;
console.log("announced");
await terminated;
await announcer.leave();
console.log("left");
Deno.exit(0);
