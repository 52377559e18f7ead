/**
 * Emits each message's decoder: `readM(r, depth)` loops over the fields of
 * the message body the reader is bounded to, dispatching on the whole tag
 * (field number and wire type) so that a known field arriving with another
 * wire type is skipped like an unknown one, and builds the object in one
 * literal (one hidden class per message, or per oneof member).
 *
 * @module
 */
import type {
  FieldModel,
  MessageModel,
  ScalarType,
  ValueType,
} from "./schema.ts";
import { scalarTsType } from "./emit_types.ts";

/** The wire type a value is written with (not packed). */
export function wireType(value: ValueType): number {
  if (value.kind !== "scalar") return value.kind === "enum" ? 0 : 2;
  switch (value.scalar) {
    case "double":
    case "fixed64":
    case "sfixed64":
      return 1;
    case "float":
    case "fixed32":
    case "sfixed32":
      return 5;
    case "string":
    case "bytes":
      return 2;
    default:
      return 0;
  }
}

/** The PbReader call that reads one value. */
function readCall(value: ValueType): string {
  switch (value.kind) {
    case "scalar":
      return `$r.${value.scalar}()`;
    case "enum":
      return "$r.int32()";
    case "message":
      return `$r.message(read${value.message}, $depth)`;
  }
}

/** The proto3 default of a scalar, as a TypeScript expression. */
export function scalarDefault(scalar: ScalarType): string {
  switch (scalar) {
    case "bool":
      return "false";
    case "string":
      return '""';
    case "bytes":
      return "EMPTY_BYTES";
    default:
      return "0";
  }
}

function valueTsType(value: ValueType): string {
  return value.kind === "scalar"
    ? scalarTsType(value.scalar)
    : value.kind === "enum"
    ? "number"
    : value.message;
}

function defaultOf(value: ValueType): string {
  return value.kind === "scalar"
    ? scalarDefault(value.scalar)
    : value.kind === "enum"
    ? "0"
    : `decode${value.message}(EMPTY_BYTES)`;
}

function entryReaderName(message: MessageModel, field: FieldModel): string {
  return `read${message.name}${
    field.name[0].toUpperCase() + field.name.slice(1)
  }Entry`;
}

/** The decoder of one message, and the readers of its map entries. */
export function emitDecoder(message: MessageModel): string {
  const out: string[] = [];
  for (const field of message.fields) {
    if (field.mapKey !== undefined) out.push(emitEntryReader(message, field));
  }
  const locals: string[] = [];
  const cases: string[] = [];
  for (const field of message.fields) {
    const name = field.name;
    const tag = (wire: number) => (field.number << 3) | wire;
    if (field.oneof !== undefined) {
      cases.push(
        `case ${
          tag(wireType(field.value))
        }:\n$oneof_${field.oneof} = "${name}";\n$oneof_${field.oneof}_value = ${
          readCall(field.value)
        };\nbreak;`,
      );
      continue;
    }
    if (field.mapKey !== undefined) {
      locals.push(
        `const $_${name}: Record<string, ${valueTsType(field.value)}> = {};`,
      );
      cases.push(
        `case ${tag(2)}: {\nconst [$key, $value] = $r.message(${
          entryReaderName(message, field)
        }, $depth);\nsetEntry($_${name}, $key, $value);\nbreak;\n}`,
      );
      continue;
    }
    if (field.repeated) {
      locals.push(`const $_${name}: (${valueTsType(field.value)})[] = [];`);
      const wire = wireType(field.value);
      if (wire !== 2) {
        // Packed or not, whatever the field's own setting says (proto3).
        cases.push(
          `case ${
            tag(2)
          }: {\nconst $outer = $r.end;\n$r.end = $r.len();\nwhile ($r.pos < $r.end) $_${name}.push(${
            readCall(field.value)
          });\n$r.end = $outer;\nbreak;\n}`,
        );
      }
      cases.push(
        `case ${tag(wire)}:\n$_${name}.push(${readCall(field.value)});\nbreak;`,
      );
      continue;
    }
    const type = valueTsType(field.value);
    locals.push(
      field.value.kind === "message"
        ? `let $_${name}: ${type} | undefined;`
        : `let $_${name}: ${type} = ${defaultOf(field.value)};`,
    );
    cases.push(
      `case ${tag(wireType(field.value))}:\n$_${name} = ${
        readCall(field.value)
      };\nbreak;`,
    );
  }
  for (const oneof of message.oneofs) {
    locals.push(
      `let $oneof_${oneof.name}: ${
        oneof.fields.map((f) => `"${f.name}"`).join(" | ")
      } | undefined;`,
      `let $oneof_${oneof.name}_value: ${
        [...new Set(oneof.fields.map((f) => valueTsType(f.value)))].join(" | ")
      } | undefined;`,
    );
  }
  const loop = message.fields.length === 0
    ? "while ($r.pos < $r.end) $r.skip($r.uint32(), $depth);"
    : `while ($r.pos < $r.end) {\nconst $tag = $r.uint32();\nswitch ($tag) {\n${
      cases.join("\n")
    }\ndefault:\n$r.skip($tag, $depth);\n}\n}`;
  out.push(
    `function read${message.name}($r: PbReader, $depth: number): ${message.name} {\n${
      [...locals, loop, emitReturn(message)].join("\n")
    }\n}`,
  );
  return out.join("\n\n");
}

function emitReturn(message: MessageModel): string {
  const plain = message.fields.filter((f) => f.oneof === undefined)
    .map((f) => `${f.name}: $_${f.name}`);
  const base = plain.join(", ");
  if (message.fields.length === 0) return "return {};";
  if (message.oneofs.length === 0) return `return { ${base} };`;
  if (message.oneofs.length === 1) {
    const oneof = message.oneofs[0];
    const prefix = base === "" ? "" : `${base}, `;
    const cases = oneof.fields.map((f) =>
      `case "${f.name}":\nreturn { ${prefix}${oneof.name}: $oneof_${oneof.name}, ${f.name}: $oneof_${oneof.name}_value as ${
        valueTsType(f.value)
      } };`
    );
    return `switch ($oneof_${oneof.name}) {\n${
      cases.join("\n")
    }\ndefault:\nreturn { ${base} };\n}`;
  }
  // Several oneofs: set each one's discriminant and member on the base.
  const sets = message.oneofs.map((oneof) =>
    `if ($oneof_${oneof.name} !== undefined) {\n$message.${oneof.name} = $oneof_${oneof.name};\n$message[$oneof_${oneof.name}] = $oneof_${oneof.name}_value;\n}`
  );
  return `const $message: Record<string, unknown> = { ${base} };\n${
    sets.join("\n")
  }\nreturn $message as unknown as ${message.name};`;
}

function emitEntryReader(message: MessageModel, field: FieldModel): string {
  const key = field.mapKey!;
  const keyValue: ValueType = { kind: "scalar", scalar: key };
  const valueType = valueTsType(field.value);
  const valueLocal = field.value.kind === "message"
    ? `let value: ${valueType} | undefined;`
    : `let value: ${valueType} = ${defaultOf(field.value)};`;
  const keyString = key === "string" ? "key" : "String(key)";
  const valueResult = field.value.kind === "message"
    ? `value ?? ${defaultOf(field.value)}`
    : "value";
  return `/** One entry of \`${field.fullName}\`. */
function ${
    entryReaderName(message, field)
  }($r: PbReader, $depth: number): [string, ${valueType}] {
let key: ${scalarTsType(key)} = ${scalarDefault(key)};
${valueLocal}
while ($r.pos < $r.end) {
const $tag = $r.uint32();
switch ($tag) {
case ${(1 << 3) | wireType(keyValue)}:
key = ${readCall(keyValue)};
break;
case ${(2 << 3) | wireType(field.value)}:
value = ${readCall(field.value)};
break;
default:
$r.skip($tag, $depth);
}
}
return [${keyString}, ${valueResult}];
}`;
}
