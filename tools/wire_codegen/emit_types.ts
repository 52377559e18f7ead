/**
 * Emits the TypeScript types of each message: `M`, the shape the decoder
 * returns (every scalar present, at its proto3 default when absent), and
 * `MInput`, the shape the encoder takes (every field optional).
 *
 * @module
 */
import type {
  FieldModel,
  MessageModel,
  ScalarType,
  ValueType,
} from "./schema.ts";

/** The TypeScript type of a scalar as decoded. */
export function scalarTsType(scalar: ScalarType): string {
  switch (scalar) {
    case "int64":
    case "uint64":
    case "sint64":
    case "fixed64":
    case "sfixed64":
      return "number | bigint";
    case "bool":
      return "boolean";
    case "string":
      return "string";
    case "bytes":
      return "Uint8Array";
    default:
      return "number";
  }
}

function valueTsType(value: ValueType, input: boolean): string {
  switch (value.kind) {
    case "scalar":
      return scalarTsType(value.scalar);
    case "enum":
      return "number";
    case "message":
      return input ? `${value.message}Input` : value.message;
  }
}

function fieldTsType(field: FieldModel, input: boolean): string {
  const value = valueTsType(field.value, input);
  if (field.mapKey !== undefined) {
    return input
      ? `Readonly<Record<string, ${value}>>`
      : `Record<string, ${value}>`;
  }
  if (field.repeated) {
    return input ? `readonly (${value})[]` : `(${value})[]`;
  }
  return value;
}

function fieldLine(field: FieldModel, input: boolean): string {
  const optional = input ||
    (field.value.kind === "message" && !field.repeated &&
      field.mapKey === undefined);
  return `  ${field.name}${optional ? "?" : ""}: ${fieldTsType(field, input)};`;
}

/** `M` and `MInput` for one message. */
export function emitMessageTypes(message: MessageModel): string {
  return [false, true].map((input) => emitType(message, input)).join("\n\n");
}

function emitType(message: MessageModel, input: boolean): string {
  const name = input ? `${message.name}Input` : message.name;
  const doc = input
    ? `/** \`${message.fullName}\` as the encoder takes it: every field may be left out. */`
    : `/** \`${message.fullName}\` as the decoder returns it. */`;
  const plain = message.fields.filter((f) => f.oneof === undefined);
  if (message.fields.length === 0) {
    return `${doc}\nexport type ${name} = Record<string, never>;`;
  }
  if (message.oneofs.length === 0) {
    return `${doc}\nexport interface ${name} {\n${
      plain.map((f) => fieldLine(f, input)).join("\n")
    }\n}`;
  }
  const parts: string[] = [];
  if (plain.length > 0) {
    parts.push(`{\n${plain.map((f) => fieldLine(f, input)).join("\n")}\n}`);
  }
  for (const oneof of message.oneofs) {
    const members = oneof.fields.map((f) =>
      `  | { ${oneof.name}: "${f.name}"; ${f.name}${input ? "?" : ""}: ${
        fieldTsType(f, input)
      } }`
    );
    // Without the discriminant, the encoder writes the first member present.
    members.push(
      input
        ? `  | { ${oneof.name}?: undefined; ${
          oneof.fields.map((f) => `${f.name}?: ${fieldTsType(f, true)}`)
            .join("; ")
        } }`
        : `  | { ${oneof.name}?: undefined }`,
    );
    parts.push(`(\n${members.join("\n")}\n)`);
  }
  return `${doc}\nexport type ${name} = ${parts.join(" & ")};`;
}
