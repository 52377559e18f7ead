/**
 * Who may call a worker. An {@linkcode Authenticator} looks at what a call
 * presents and says, as a value, whether it is let in; the worker asks it
 * for every call, before it decodes a frame (`auth_interceptor.ts`).
 *
 * | the call presents                              | Authentication                       |
 * | ---------------------------------------------- | ------------------------------------ |
 * | `authorization: Bearer <the worker's token>`   | authenticated                        |
 * | no `authorization`, or more than one           | refused, reason `"no-credential"`    |
 * | an `authorization` that is not `Bearer <…>`    | refused, reason `"not-a-credential"` |
 * | `Bearer <any other token>`                     | refused, reason `"wrong-credential"` |
 *
 * A spawned worker's authenticator holds its pool's secret
 * ({@linkcode tokenAuthenticator}); a worker started on its own may plug in
 * another policy (a token file, a client certificate) through the same
 * interface, which takes one context object so that it can grow.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Buffer } from "node:buffer";
import { readBearerCredential } from "../wire/credential.ts";

/** What one call presents, as an authenticator sees it. */
export interface CallCredentials {
  /**
   * The call's `authorization` metadata; `undefined` when it has none, or
   * more than one.
   */
  readonly authorization: string | undefined;
}

/** Why a call was refused (the worker's own view; the caller is told nothing). */
export type RefusalReason =
  | "no-credential"
  | "not-a-credential"
  | "wrong-credential";

/** An authenticator's answer for one call. */
export type Authentication =
  | { readonly authenticated: true }
  | { readonly authenticated: false; readonly reason: RefusalReason };

/** A policy deciding which calls a worker serves. */
export interface Authenticator {
  /** Decides on one call; never throws. */
  authenticate(call: CallCredentials): Authentication;
}

const AUTHENTICATED: Authentication = Object.freeze({ authenticated: true });

const REFUSED: Readonly<Record<RefusalReason, Authentication>> = Object
  .freeze({
    "no-credential": Object.freeze({
      authenticated: false,
      reason: "no-credential",
    }),
    "not-a-credential": Object.freeze({
      authenticated: false,
      reason: "not-a-credential",
    }),
    "wrong-credential": Object.freeze({
      authenticated: false,
      reason: "wrong-credential",
    }),
  });

/** Characters a token may hold: visible ASCII, as an HTTP/2 header value. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/**
 * An authenticator that lets in only calls presenting `token` as
 * `authorization: Bearer <token>`. The comparison takes the same time
 * whatever the presented token is: both are hashed (SHA-256) and the
 * digests, of equal length, compared with `timingSafeEqual`.
 *
 * @param token The secret every call must present.
 * @returns The authenticator.
 * @throws {TypeError} when `token` is empty or holds characters other than
 * visible ASCII (it travels as a header value).
 */
export function tokenAuthenticator(token: string): Authenticator {
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) {
    throw new TypeError(
      "Cannot serve: the worker's token must be a non-empty string of visible ASCII characters",
    );
  }
  const expected = digest(token);
  return {
    authenticate({ authorization }: CallCredentials): Authentication {
      if (authorization === undefined) return REFUSED["no-credential"];
      const presented = readBearerCredential(authorization);
      if (presented === undefined) return REFUSED["not-a-credential"];
      return timingSafeEqual(digest(presented), expected)
        ? AUTHENTICATED
        : REFUSED["wrong-credential"];
    },
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
