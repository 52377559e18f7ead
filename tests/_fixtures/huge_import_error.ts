/** A task module whose import fails with an error far larger than a small maxMessageBytes. */
throw new Error(`too big to send: ${"x".repeat(200_000)}`);
