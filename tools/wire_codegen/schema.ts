/**
 * The part of a parsed `.proto` the wire code generator works from: its
 * messages, fields, oneofs and services, taken from protobufjs's
 * reflection (a dev-only dependency) into plain data.
 *
 * Names follow `@grpc/proto-loader` with `keepCase: false`, as the frames
 * always had them: fields in camelCase, a oneof's discriminant under the
 * oneof's own name holding the camelCase name of the member that is set.
 *
 * @module
 */
import protobuf from "npm:protobufjs@7.6.6";

/** The proto3 scalar types. */
export type ScalarType =
  | "double"
  | "float"
  | "int32"
  | "int64"
  | "uint32"
  | "uint64"
  | "sint32"
  | "sint64"
  | "fixed32"
  | "fixed64"
  | "sfixed32"
  | "sfixed64"
  | "bool"
  | "string"
  | "bytes";

const SCALARS: ReadonlySet<string> = new Set<ScalarType>([
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
  "bool",
  "string",
  "bytes",
]);

/** What a field (or a map's value) holds. */
export type ValueType =
  | { readonly kind: "scalar"; readonly scalar: ScalarType }
  /** Enums travel as their numbers (int32). */
  | { readonly kind: "enum" }
  | { readonly kind: "message"; readonly message: string };

/** One field of a message. */
export interface FieldModel {
  /** The property name (camelCase). */
  readonly name: string;
  /** `package.Message.field`, for error messages. */
  readonly fullName: string;
  readonly number: number;
  readonly value: ValueType;
  readonly repeated: boolean;
  /** True for a repeated numeric field written packed (proto3's default). */
  readonly packed: boolean;
  /** For a map field: its key type (the value is {@linkcode FieldModel.value}). */
  readonly mapKey?: ScalarType;
  /** The oneof this field belongs to, by name. */
  readonly oneof?: string;
}

/** One message type. */
export interface MessageModel {
  /** The TypeScript name: nested names joined (`Outer.Inner` → `OuterInner`). */
  readonly name: string;
  /** `package.Message`. */
  readonly fullName: string;
  /** Every field, in field-number order. */
  readonly fields: readonly FieldModel[];
  /** Oneofs, each with its member fields in field-number order. */
  readonly oneofs: readonly { name: string; fields: readonly FieldModel[] }[];
}

/** One RPC of a service. */
export interface MethodModel {
  readonly name: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/** One service. */
export interface ServiceModel {
  readonly name: string;
  /** `package.Service`. */
  readonly fullName: string;
  readonly methods: readonly MethodModel[];
}

/** A whole `.proto` file. */
export interface SchemaModel {
  readonly messages: readonly MessageModel[];
  readonly services: readonly ServiceModel[];
}

/**
 * Parses `.proto` source into a {@linkcode SchemaModel}.
 *
 * @throws {Error} for a file that is not proto3, extensions, a type outside
 * the file, or two messages with the same TypeScript name.
 */
export function readSchema(source: string): SchemaModel {
  if (!/^\s*syntax\s*=\s*"proto3"\s*;/m.test(source)) {
    throw new Error(
      'Only proto3 is supported: the file must say syntax = "proto3";',
    );
  }
  const root = protobuf.parse(source, { keepCase: false }).root;
  root.resolveAll();
  const messages: MessageModel[] = [];
  const services: ServiceModel[] = [];
  const names = new Map<string, string>();
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const model = readMessage(nested);
        const clash = names.get(model.name);
        if (clash) {
          throw new Error(
            `${model.fullName} and ${clash} would both be named ${model.name}`,
          );
        }
        names.set(model.name, model.fullName);
        messages.push(model);
      } else if (nested instanceof protobuf.Service) {
        services.push(readService(nested));
      }
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  return { messages, services };
}

function readMessage(type: protobuf.Type): MessageModel {
  const fullName = type.fullName.slice(1);
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id).map(
    (field) => readField(type, field),
  );
  const oneofs = type.oneofsArray.map((oneof) => ({
    name: oneof.name,
    fields: fields.filter((f) => f.oneof === oneof.name),
  }));
  return { name: tsName(type), fullName, fields, oneofs };
}

function readField(type: protobuf.Type, field: protobuf.Field): FieldModel {
  const fullName = `${type.fullName.slice(1)}.${field.name}`;
  if (field.extend !== undefined) {
    throw new Error(`${fullName}: extensions are not supported`);
  }
  const value = valueType(fullName, field.type, field.resolvedType);
  const map = field instanceof protobuf.MapField;
  const mapKey = map ? field.keyType : undefined;
  if (mapKey !== undefined && !SCALARS.has(mapKey)) {
    throw new Error(`${fullName}: map key type ${mapKey} is not a scalar`);
  }
  const packable = value.kind === "enum" ||
    (value.kind === "scalar" && value.scalar !== "string" &&
      value.scalar !== "bytes");
  return {
    name: field.name,
    fullName,
    number: field.id,
    value,
    repeated: field.repeated,
    packed: field.repeated && packable && field.packed,
    ...(mapKey === undefined ? {} : { mapKey: mapKey as ScalarType }),
    ...(field.partOf ? { oneof: field.partOf.name } : {}),
  };
}

function valueType(
  fullName: string,
  type: string,
  resolved: protobuf.Type | protobuf.Enum | null,
): ValueType {
  if (SCALARS.has(type)) return { kind: "scalar", scalar: type as ScalarType };
  if (resolved instanceof protobuf.Enum) return { kind: "enum" };
  if (resolved instanceof protobuf.Type) {
    return { kind: "message", message: tsName(resolved) };
  }
  throw new Error(`${fullName}: unknown type ${type}`);
}

function readService(service: protobuf.Service): ServiceModel {
  return {
    name: service.name,
    fullName: service.fullName.slice(1),
    methods: service.methodsArray.map((method) => {
      method.resolve();
      return {
        name: method.name,
        requestType: tsName(method.resolvedRequestType!),
        responseType: tsName(method.resolvedResponseType!),
        requestStream: method.requestStream === true,
        responseStream: method.responseStream === true,
      };
    }),
  };
}

/** `Outer.Inner` (nested in a message) → `OuterInner`; packages dropped. */
function tsName(type: protobuf.Type): string {
  const parts: string[] = [];
  let current: protobuf.ReflectionObject | null = type;
  while (current instanceof protobuf.Type) {
    parts.unshift(current.name);
    current = current.parent;
  }
  return parts.join("");
}
