/**
 * The library's one import of `npm:@grpc/grpc-js`, re-exported as the
 * `grpc` namespace. Every other module imports `{ grpc }` from here, so the
 * versioned `npm:` specifier — which lets the library work when a project
 * imports it by path, under its own configuration — is written once.
 *
 * @module
 */
import * as grpc from "npm:@grpc/grpc-js@1.14.7";

export { grpc };
