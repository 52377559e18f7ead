/**
 * Where `proto/wool.proto` is: the one place that says so, for the module
 * that loads it (`proto.ts`) and for the worker permissions that must let a
 * worker read it (`process/permissions.ts`).
 *
 * @module
 */

/** The URL of the service definition, relative to this package. */
export const PROTO_URL: URL = new URL(
  "../../proto/wool.proto",
  import.meta.url,
);
