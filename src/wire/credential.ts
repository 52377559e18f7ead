/**
 * The caller's credential as it travels: `authorization: Bearer <token>`
 * on every call ({@linkcode AUTHORIZATION_METADATA_KEY}). A spawned
 * worker's token is its pool's secret, handed over on the worker's stdin;
 * the worker compares in constant time (`worker/authenticator.ts`).
 *
 * @module
 */
import { grpc } from "./grpc.ts";
import { AUTHORIZATION_METADATA_KEY } from "./status.ts";

const BEARER = "Bearer ";

/** The {@linkcode AUTHORIZATION_METADATA_KEY} value presenting `token`. */
export function bearerCredential(token: string): string {
  return `${BEARER}${token}`;
}

/**
 * The token a `Bearer <token>` value presents.
 *
 * @returns The token, or `undefined` for a value of any other form.
 */
export function readBearerCredential(value: string): string | undefined {
  return value.startsWith(BEARER) ? value.slice(BEARER.length) : undefined;
}

/** Metadata presenting `token`, for one call. */
export function credentialMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(AUTHORIZATION_METADATA_KEY, bearerCredential(token));
  return metadata;
}
