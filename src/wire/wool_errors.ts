/**
 * The runtime's own errors that cross the wire as themselves: a worker
 * sends them in a Nack or an Exception, and the caller rebuilds each as its
 * class, with its fields, so it can be caught with `instanceof` as if it
 * were raised on the caller's side. Any other class a task throws arrives
 * as a built-in or a `RemoteError` (see `errors.ts`).
 *
 * @module
 */
import { CallDepthExceeded } from "./call_depth_exceeded.ts";
import { MessageTooLarge } from "./message_too_large.ts";
import { ProtocolError } from "./protocol_error.ts";
import { TaskLoadError } from "./task_load_error.ts";
import { TaskPermissionDenied } from "./task_permission_denied.ts";

/** The carried fields of an error record, by name. */
type Props = Readonly<Record<string, unknown>>;

/**
 * Each class, by `name`: builds it from the fields the record carries, or
 * `undefined` when they do not fit (a task's own class of the same name).
 * The message is the record's, set by {@linkcode rebuildWoolError}.
 */
const REBUILDERS: Readonly<
  Record<string, (props: Props, options: ErrorOptions) => Error | undefined>
> = {
  MessageTooLarge({ size, limit }, options) {
    if (typeof size !== "number" || typeof limit !== "number") return;
    return new MessageTooLarge("value", size, limit, options);
  },
  TaskLoadError({ module, export: exportName }, options) {
    if (typeof module !== "string" || typeof exportName !== "string") return;
    return new TaskLoadError(module, exportName, "", options);
  },
  TaskPermissionDenied({ permission, target }, options) {
    if (typeof permission !== "string") return;
    if (target !== undefined && typeof target !== "string") return;
    return new TaskPermissionDenied({ name: permission, target }, options);
  },
  CallDepthExceeded({ depth, limit }, options) {
    if (typeof depth !== "number" || typeof limit !== "number") return;
    return new CallDepthExceeded(depth, limit, options);
  },
  ProtocolError(_props, options) {
    return new ProtocolError("", options);
  },
};

/**
 * Rebuilds one of the runtime's own errors from its record.
 *
 * @param record The record's name, message and carried fields.
 * @param options The rebuilt `cause`, if any.
 * @returns The error, or `undefined` when `record` is not one of them.
 */
export function rebuildWoolError(
  record: {
    readonly name: string;
    readonly message: string;
    readonly props?: Props;
  },
  options: ErrorOptions,
): Error | undefined {
  if (!Object.hasOwn(REBUILDERS, record.name)) return undefined;
  const error = REBUILDERS[record.name](record.props ?? {}, options);
  if (error !== undefined) error.message = record.message;
  return error;
}
