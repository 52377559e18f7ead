/**
 * The errors of the protobuf codec (`pb_reader.ts`, `pb_writer.ts` and the
 * generated `wool_pb.ts`): bytes that are not a valid encoding of the
 * message, and values that cannot be encoded as the field's type.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { WoolError } from "../errors.ts";

/**
 * Bytes that are not a valid protobuf encoding of the expected message: a
 * truncated varint or field, a length past the end, a field number 0, an
 * invalid wire type, nesting too deep. Thrown by every generated
 * `decode…` function instead of any other error.
 */
export class WireDecodeError extends WoolError {
  /** The message being decoded, e.g. `wool.v1.SessionRequests`. */
  readonly messageType: string;
  /** Byte offset at which the encoding went wrong. */
  readonly offset: number;

  /** Builds the error for `messageType`, wrong at `offset`. */
  constructor(
    messageType: string,
    offset: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot decode ${messageType}: ${problem} at byte ${offset}`,
      options,
    );
    this.messageType = messageType;
    this.offset = offset;
  }
}

/**
 * A value that cannot be encoded as its field's type (a string field given
 * a number, a uint64 given a negative number, …). Nothing is sent.
 */
export class WireEncodeError extends WoolError {
  /** The field, e.g. `wool.v1.Task.id`. */
  readonly field: string;

  /** Builds the error for `field`, which needed `expected`. */
  constructor(field: string, expected: string, received: unknown) {
    super(
      `Cannot encode ${field}: expected ${expected}, received ${
        describeValue(received)
      }`,
    );
    this.field = field;
  }
}
