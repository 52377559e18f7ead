/**
 * A backpressure hook that accepts every task, and whose module writes to
 * stdout and stderr while the worker starts, before its ready line: one
 * line looks like a status line (with a nonce it cannot know).
 *
 * @module
 */
console.log("noisy hook: loading");
console.log('0123-not-the-nonce ready {"address":"10.0.0.1:1","pid":1}');
console.error("noisy hook: on stderr");

/** Accepts every task. */
export default function acceptAll(): boolean {
  return false;
}
