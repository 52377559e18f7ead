/**
 * A task module that throws while it is evaluated: every call of any of
 * its exports must fail with a typed error naming the module, and leave
 * the worker serving.
 *
 * @module
 */
throw new RangeError("task module exploded at import");
