/**
 * Emits each message's encoder: `writeM(w, m, depth)` checks each field's
 * value against its type (a wrong one is a `WireEncodeError` naming the
 * field) and writes it, leaving out proto3 defaults (implicit presence);
 * oneof members are always written, being explicitly present. Nested
 * messages are written in place (`fork`/`join`), with no object built on
 * the way.
 *
 * @module
 */
import type { FieldModel, MessageModel, ValueType } from "./schema.ts";
import { scalarDefault, wireType } from "./emit_decode.ts";

/** The statement writing a precomputed tag. */
function writeTag(tag: number): string {
  return tag < 128 ? `$w.byte(${tag});` : `$w.uint32(${tag});`;
}

/** A type guard expression for `$v`, and what it expects in words. */
function guard(value: ValueType, v: string): [string, string] {
  if (value.kind === "enum") return [`isInt32(${v})`, "an int32 (enum)"];
  if (value.kind === "message") {
    return [
      `typeof ${v} === "object" && ${v} !== null`,
      `a ${value.message} object`,
    ];
  }
  switch (value.scalar) {
    case "double":
    case "float":
      return [`typeof ${v} === "number"`, "a number"];
    case "int32":
    case "sint32":
    case "sfixed32":
      return [`isInt32(${v})`, `an ${value.scalar}`];
    case "uint32":
    case "fixed32":
      return [`isUint32(${v})`, `a ${value.scalar}`];
    case "int64":
    case "sint64":
    case "sfixed64":
      return [`isInt64(${v})`, `an ${value.scalar} (safe integer or bigint)`];
    case "uint64":
    case "fixed64":
      return [`isUint64(${v})`, `a ${value.scalar} (safe integer or bigint)`];
    case "bool":
      return [`typeof ${v} === "boolean"`, "a boolean"];
    case "string":
      return [`typeof ${v} === "string"`, "a string"];
    case "bytes":
      return [`${v} instanceof Uint8Array`, "a Uint8Array"];
  }
}

/** True when `$v` (a scalar or enum) differs from the proto3 default. */
function notDefault(value: ValueType, v: string): string {
  if (value.kind !== "scalar") return `${v} !== 0`;
  switch (value.scalar) {
    case "double":
    case "float":
      // -0 and NaN are not the default (0) and are written.
      return `(${v} !== 0 || 1 / ${v} < 0)`;
    case "int64":
    case "uint64":
    case "sint64":
    case "fixed64":
    case "sfixed64":
      return `${v} !== 0 && ${v} !== 0n`;
    case "bool":
      return v;
    case "string":
    case "bytes":
      return `${v}.length > 0`;
    default:
      return `${v} !== 0`;
  }
}

/** Statements writing value `v` (already checked) without its tag. */
function writeValue(value: ValueType, v: string): string {
  if (value.kind === "enum") return `$w.int32(${v});`;
  if (value.kind === "message") {
    return `{\nconst $at = $w.fork();\nwrite${value.message}($w, ${v} as Record<string, unknown>, $depth + 1);\n$w.join($at);\n}`;
  }
  switch (value.scalar) {
    case "bool":
      return `$w.byte(${v} ? 1 : 0);`;
    case "sfixed32":
      return `$w.fixed32(${v});`;
    case "sfixed64":
      return `$w.fixed64(${v});`;
    default:
      return `$w.${value.scalar}(${v});`;
  }
}

function check(field: FieldModel, value: ValueType, v: string): string {
  const [test, expected] = guard(value, v);
  return `if (!(${test})) throw new WireEncodeError("${field.fullName}", "${expected}", ${v});`;
}

function emitField(field: FieldModel): string {
  const tag = (wire: number) => (field.number << 3) | wire;
  const read = `const $v = $m.${field.name};\nif ($v != null) {`;
  if (field.mapKey !== undefined) {
    return `{\n${read}\nif (typeof $v !== "object") throw new WireEncodeError("${field.fullName}", "an object of entries", $v);\nfor (const $key of Object.keys($v)) {\nconst $e = ($v as Record<string, unknown>)[$key];\n${
      check(field, field.value, "$e")
    }\n${
      writeTag(tag(2))
    }\nconst $entry = $w.fork();\n$w.byte(10);\n$w.string($key);\n${
      writeTag((2 << 3) | wireType(field.value))
    }\n${writeValue(field.value, "$e")}\n$w.join($entry);\n}\n}\n}`;
  }
  if (field.repeated) {
    const elements = field.packed
      ? `if ($v.length > 0) {\n${
        writeTag(tag(2))
      }\nconst $packed = $w.fork();\nfor (const $e of $v) {\n${
        check(field, field.value, "$e")
      }\n${writeValue(field.value, "$e")}\n}\n$w.join($packed);\n}`
      : `for (const $e of $v) {\n${check(field, field.value, "$e")}\n${
        writeTag(tag(wireType(field.value)))
      }\n${writeValue(field.value, "$e")}\n}`;
    return `{\n${read}\nif (!Array.isArray($v)) throw new WireEncodeError("${field.fullName}", "an array", $v);\n${elements}\n}\n}`;
  }
  const write = `${writeTag(tag(wireType(field.value)))}\n${
    writeValue(field.value, "$v")
  }`;
  // A message field is present whenever it is set, even when empty.
  const guarded = field.value.kind === "message"
    ? write
    : `if (${notDefault(field.value, "$v")}) {\n${write}\n}`;
  return `{\n${read}\n${check(field, field.value, "$v")}\n${guarded}\n}\n}`;
}

function emitOneof(
  message: MessageModel,
  oneof: MessageModel["oneofs"][number],
): string {
  const names = oneof.fields.map((f) => `"${f.name}"`);
  const guessed = oneof.fields.map((f) => `$m.${f.name} != null ? "${f.name}"`)
    .join(" : ");
  const cases = oneof.fields.map((field) => {
    const fallback = field.value.kind === "message"
      ? "{}"
      : field.value.kind === "enum"
      ? "0"
      : scalarDefault(field.value.scalar);
    return `case "${field.name}": {\nconst $v = $m.${field.name} ?? ${fallback};\n${
      check(field, field.value, "$v")
    }\n${writeTag((field.number << 3) | wireType(field.value))}\n${
      writeValue(field.value, "$v")
    }\nbreak;\n}`;
  });
  return `{\nconst $kind = $m.${oneof.name} ?? (${guessed} : undefined);\nswitch ($kind) {\n${
    cases.join("\n")
  }\ncase undefined:\nbreak;\ndefault:\nthrow new WireEncodeError("${message.fullName}.${oneof.name}", 'one of ${
    names.join(", ")
  }', $kind);\n}\n}`;
}

/** The encoder of one message. */
export function emitEncoder(message: MessageModel): string {
  const body = [
    `if ($depth > MAX_DEPTH) throw new WireEncodeError("${message.fullName}", "nesting at most " + MAX_DEPTH + " deep", $m);`,
    ...message.fields.filter((f) => f.oneof === undefined).map(emitField),
    ...message.oneofs.map((oneof) => emitOneof(message, oneof)),
  ];
  // An empty message writes nothing: say so, or the writer is unused.
  if (message.fields.length === 0) body.push("void $w;");
  return `function write${message.name}($w: PbWriter, $m: Record<string, unknown>, $depth: number): void {\n${
    body.join("\n")
  }\n}`;
}
