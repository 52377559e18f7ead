/**
 * The NATS client, from the one module of `src/` that imports it (so its
 * version is pinned in one place): both the pool's NATS discovery and the
 * worker's announcer use it through these names.
 *
 * @module
 */
export {
  connect,
  createInbox,
  type Msg,
  type NatsConnection,
  type Status,
  type Subscription,
} from "npm:@nats-io/transport-node@3.4.0";
