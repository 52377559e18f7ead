/**
 * protobufjs as the oracle for the generated wire codecs: random messages
 * of any type of a `.proto` (from its reflection), protobufjs's own encoder
 * and decoder, and one canonical form that both sides' decoded messages
 * (and the encoder's input) are compared in.
 *
 * Canonical form: every field present (proto3 defaults filled in), 64-bit
 * integers as bigints, `bytes` as plain arrays, floats rounded to float32,
 * maps as sorted entry lists, a oneof as `[member, value]` or `null`.
 */
import fc from "npm:fast-check@4.11.0";
import protobuf from "npm:protobufjs@7.6.6";

const LONG_TYPES = new Set([
  "int64",
  "uint64",
  "sint64",
  "fixed64",
  "sfixed64",
]);
const UINT64_MAX = 2n ** 64n - 1n;

/** A parsed `.proto` with its oracle operations. */
export class WireOracle {
  readonly root: protobuf.Root;
  /** Every message type's full name, without the leading dot. */
  readonly messages: readonly string[];

  constructor(source: string) {
    this.root = protobuf.parse(source, { keepCase: false }).root;
    this.root.resolveAll();
    const names: string[] = [];
    const visit = (ns: protobuf.NamespaceBase) => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          names.push(nested.fullName.slice(1));
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(this.root);
    this.messages = names;
  }

  /** The generated functions' name part for a type (`Outer.Inner` → `OuterInner`). */
  tsName(fullName: string): string {
    const parts: string[] = [];
    let current: protobuf.ReflectionObject | null = this.#type(fullName);
    while (current instanceof protobuf.Type) {
      parts.unshift(current.name);
      current = current.parent;
    }
    return parts.join("");
  }

  /** protobufjs's encoding of an encoder input (our shape). */
  encode(fullName: string, input: unknown): Uint8Array {
    const type = this.#type(fullName);
    const message = type.fromObject(toProtobufjs(type, input) as object);
    return type.encode(message).finish();
  }

  /** protobufjs's decoding, in canonical form. */
  decode(fullName: string, bytes: Uint8Array): unknown {
    const type = this.#type(fullName);
    return canonical(type, type.decode(bytes));
  }

  /** A decoded message or an encoder input (our shape), in canonical form. */
  canonical(fullName: string, message: unknown): unknown {
    return canonical(this.#type(fullName), message);
  }

  /** Random encoder inputs of a type, nesting at most `depth` deep. */
  arbitrary(
    fullName: string,
    depth = 3,
  ): fc.Arbitrary<Record<string, unknown>> {
    return messageArbitrary(this.#type(fullName), depth);
  }

  #type(fullName: string): protobuf.Type {
    return this.root.lookupType(fullName);
  }
}

function isMap(field: protobuf.Field): boolean {
  return field instanceof protobuf.MapField;
}

function setMember(
  type: protobuf.Type,
  oneof: protobuf.OneOf,
  message: Record<string, unknown>,
): protobuf.Field | undefined {
  const chosen = message[oneof.name];
  if (typeof chosen === "string") return type.fields[chosen];
  // No discriminant: the first member set (protobufjs's own messages keep
  // defaults on their prototype, so only own properties count).
  return oneof.fieldsArray.find((f) =>
    Object.hasOwn(message, f.name) && message[f.name] != null
  );
}

function canonical(type: protobuf.Type, value: unknown): unknown {
  const message = (value ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (field.partOf) continue;
    out[field.name] = canonicalField(field, message[field.name]);
  }
  for (const oneof of type.oneofsArray) {
    const member = setMember(type, oneof, message);
    out[oneof.name] = member
      ? [member.name, canonicalValue(member, message[member.name])]
      : null;
  }
  return out;
}

function canonicalField(field: protobuf.Field, value: unknown): unknown {
  if (isMap(field)) {
    const entries = value instanceof Map
      ? [...value.entries()]
      : Object.entries((value ?? {}) as Record<string, unknown>);
    return entries.map(([k, v]) =>
      [String(k), canonicalValue(field, v)] as const
    )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (field.repeated) {
    return ((value ?? []) as unknown[]).map((v) => canonicalValue(field, v));
  }
  if (field.resolvedType instanceof protobuf.Type) {
    return value == null ? null : canonical(field.resolvedType, value);
  }
  return canonicalValue(field, value);
}

function canonicalValue(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    return canonical(field.resolvedType, value);
  }
  if (field.resolvedType instanceof protobuf.Enum) return Number(value ?? 0);
  if (LONG_TYPES.has(field.type)) return BigInt(String(value ?? 0));
  switch (field.type) {
    case "bytes":
      return Array.from((value ?? []) as Uint8Array);
    case "string":
      return value ?? "";
    case "bool":
      return value ?? false;
    case "float":
      return Math.fround(Number(value ?? 0));
    default:
      return value ?? 0;
  }
}

/** Our input shape → what protobufjs's `fromObject` takes (bigints as strings). */
function toProtobufjs(type: protobuf.Type, value: unknown): unknown {
  const message = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const chosen = new Set(
    type.oneofsArray.map((o) => setMember(type, o, message)?.name),
  );
  for (const field of type.fieldsArray) {
    if (field.partOf && !chosen.has(field.name)) continue;
    const v = message[field.name];
    if (v == null) {
      // A chosen member with no value: present, at its default.
      if (field.partOf) out[field.name] = field.resolvedType ? {} : undefined;
      continue;
    }
    if (isMap(field)) {
      out[field.name] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map((
          [k, e],
        ) => [k, valueToProtobufjs(field, e)]),
      );
    } else if (field.repeated) {
      out[field.name] = (v as unknown[]).map((e) =>
        valueToProtobufjs(field, e)
      );
    } else out[field.name] = valueToProtobufjs(field, v);
  }
  return out;
}

function valueToProtobufjs(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    return toProtobufjs(field.resolvedType, value);
  }
  return typeof value === "bigint" ? value.toString() : value;
}

/** Random bytes, now and then large enough to need a multi-byte length. */
const bytesArbitrary: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc.record({
      size: fc.integer({ min: 120, max: 70_000 }),
      seed: fc.integer({ min: 1, max: 255 }),
    }).map(({ size, seed }) =>
      Uint8Array.from({ length: size }, (_, i) => (i * seed) & 255)
    ),
  },
);

const text = fc.string({ unit: "grapheme", maxLength: 16 });

function scalarArbitrary(field: protobuf.Field): fc.Arbitrary<unknown> {
  if (field.resolvedType instanceof protobuf.Enum) {
    return fc.integer({ min: -5, max: 5 });
  }
  const safeOrBig = (min: bigint, max: bigint) =>
    fc.bigInt({ min, max }).map((n) =>
      n >= BigInt(Number.MIN_SAFE_INTEGER) &&
        n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n
    );
  switch (field.type) {
    case "double":
      return fc.double();
    case "float":
      return fc.float().map((f) => f);
    case "int32":
    case "sint32":
    case "sfixed32":
      return fc.integer();
    case "uint32":
    case "fixed32":
      return fc.nat({ max: 0xffff_ffff });
    case "int64":
    case "sint64":
    case "sfixed64":
      return safeOrBig(-(2n ** 63n), 2n ** 63n - 1n);
    case "uint64":
    case "fixed64":
      return fc.oneof(fc.nat(), safeOrBig(0n, UINT64_MAX));
    case "bool":
      return fc.boolean();
    case "string":
      return text;
    case "bytes":
      return bytesArbitrary;
    default:
      throw new Error(`No arbitrary for ${field.type}`);
  }
}

function valueArbitrary(
  field: protobuf.Field,
  depth: number,
): fc.Arbitrary<unknown> {
  if (field.resolvedType instanceof protobuf.Type) {
    return messageArbitrary(field.resolvedType, depth - 1);
  }
  return scalarArbitrary(field);
}

function messageArbitrary(
  type: protobuf.Type,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const plain: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    if (field.partOf) continue;
    const recursive = field.resolvedType instanceof protobuf.Type;
    if (recursive && depth <= 0) continue;
    if (isMap(field)) {
      plain[field.name] = fc.dictionary(
        text.filter((k) => k !== "__proto__"),
        valueArbitrary(field, depth),
        { maxKeys: 3 },
      );
    } else if (field.repeated) {
      plain[field.name] = fc.array(valueArbitrary(field, depth), {
        maxLength: 3,
      });
    } else plain[field.name] = valueArbitrary(field, depth);
  }
  const oneofs = type.oneofsArray.map((oneof) =>
    fc.oneof(
      fc.constant({}),
      ...oneof.fieldsArray
        .filter((f) => !(f.resolvedType instanceof protobuf.Type) || depth > 0)
        .map((member) =>
          valueArbitrary(member, depth).map((v) => ({
            [oneof.name]: member.name,
            [member.name]: v,
          }))
        ),
    )
  );
  return fc.tuple(fc.record(plain, { requiredKeys: [] }), ...oneofs).map((
    [base, ...chosen],
  ) => Object.assign({}, base, ...chosen));
}
