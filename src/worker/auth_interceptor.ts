/**
 * The gate every call to a worker passes: a grpc-js server interceptor that
 * asks the worker's {@linkcode Authenticator} about the call's metadata as
 * soon as it arrives. A refused call is answered `UNAUTHENTICATED` there
 * and then: its metadata never reaches a handler, and no message of it is
 * ever deserialized, so an unauthenticated caller cannot make the worker
 * decode a frame, import a module or change any state (`Stop` included).
 *
 * An authenticated call goes on without its `authorization` metadata (no
 * handler sees the secret), and the connection it came on is reported, so
 * the listener stops counting it as pending.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";
import {
  AUTHORIZATION_METADATA_KEY,
  toGrpcStatus,
  UNAUTHENTICATED_STATUS,
} from "../wire/status.ts";
import type { Authenticator } from "./authenticator.ts";

/** The connection of a call, as grpc-js describes it. */
export type CallConnection = ReturnType<
  grpc.ServerInterceptingCallInterface["getConnectionInfo"]
>;

/**
 * Builds the interceptor.
 *
 * @param authenticator Decides on each call.
 * @param onAuthenticated Told the connection of each call let in.
 * @returns The interceptor, for `new grpc.Server({ interceptors: [it] })`.
 */
export function authInterceptor(
  authenticator: Authenticator,
  onAuthenticated: (connection: CallConnection) => void,
): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, pass) {
            const values = metadata.get(AUTHORIZATION_METADATA_KEY);
            const outcome = authenticator.authenticate({
              authorization:
                values.length === 1 && typeof values[0] === "string"
                  ? values[0]
                  : undefined,
            });
            if (!outcome.authenticated) {
              call.sendStatus(toGrpcStatus(UNAUTHENTICATED_STATUS));
              return;
            }
            metadata.remove(AUTHORIZATION_METADATA_KEY);
            onAuthenticated(call.getConnectionInfo());
            pass(metadata);
          },
        });
      },
    });
}
