/** A hook module that throws while it is evaluated. */
throw new Error("top-level boom");
