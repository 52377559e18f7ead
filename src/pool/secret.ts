/**
 * A pool's secret: what its workers require of every call. Fresh per
 * pool, 256 random bits from `crypto.getRandomValues`, written as
 * base64url (43 characters, safe as a header value). It reaches each
 * spawned worker on its stdin, never on a command line or in an
 * environment, which other users can read through `/proc`.
 *
 * @module
 */

/** Bytes of randomness in a pool's secret. */
const SECRET_BYTES = 32;

/** A fresh secret. */
export function createPoolSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}
