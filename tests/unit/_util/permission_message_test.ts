import assert from "node:assert/strict";
import {
  parsePermissionMessage,
  permissionRequirementOf,
} from "../../../src/_util/permission_message.ts";

// Messages as Deno 2.9.3 words them (recorded by running each operation
// with no permission).
const MESSAGES: [string, ReturnType<typeof parsePermissionMessage>][] = [
  [
    'Requires read access to "/etc/hostname", run again with the --allow-read flag',
    { name: "read", target: "/etc/hostname" },
  ],
  [
    "Requires write access to <TMP>, run again with the --allow-write flag",
    { name: "write", placeholder: "<TMP>" },
  ],
  [
    'Requires env access to "HOME", run again with the --allow-env flag',
    { name: "env", target: "HOME" },
  ],
  [
    "Requires env access, run again with the --allow-env flag",
    { name: "env" },
  ],
  [
    'Requires net access to "127.0.0.1:9", run again with the --allow-net flag',
    { name: "net", target: "127.0.0.1:9" },
  ],
  [
    'Requires net access to "unix:/tmp/u.sock", run again with the --allow-net flag',
    { name: "net", target: "unix:/tmp/u.sock" },
  ],
  [
    'Requires run access to "ls", run again with the --allow-run flag',
    { name: "run", target: "ls" },
  ],
  [
    'Requires sys access to "hostname", run again with the --allow-sys flag',
    { name: "sys", target: "hostname" },
  ],
  [
    'Requires ffi access to "/lib/x.so", run again with the --allow-ffi flag',
    { name: "ffi", target: "/lib/x.so" },
  ],
  [
    'Requires import access to "example.com:443", run again with the --allow-import flag',
    { name: "import", target: "example.com:443" },
  ],
  [
    'Requires read access to "/data/a \\"b\\".csv", run again with the --allow-read flag',
    { name: "read", target: '/data/a "b".csv' },
  ],
  [
    'Requires net access to "db:5432", specify the required permissions during compilation using `deno compile --allow-net`',
    { name: "net", target: "db:5432" },
  ],
  [
    'Cannot load task module "file:///t.ts" for "add": Requires read access to "/t.ts", run again with the --allow-read flag',
    { name: "read", target: "/t.ts" },
  ],
];

Deno.test("parsePermissionMessage() reads Deno's permission messages", () => {
  for (const [message, expected] of MESSAGES) {
    assert.deepEqual(parsePermissionMessage(message), expected, message);
  }
});

Deno.test("parsePermissionMessage() ignores other messages", () => {
  for (
    const message of [
      "",
      "Permission denied (os error 13): open '/root/x'",
      "Requires a number",
      "Requires read access",
    ]
  ) {
    assert.equal(parsePermissionMessage(message), undefined, message);
  }
});

Deno.test("permissionRequirementOf() takes NotCapable and PermissionDenied errors only", () => {
  const message =
    'Requires read access to "/x", run again with the --allow-read flag';
  assert.deepEqual(
    permissionRequirementOf(new Deno.errors.NotCapable(message)),
    { name: "read", target: "/x" },
  );
  // As rebuilt on the caller's side: a plain Error carrying the name.
  const remote = Object.assign(new Error(message), {
    name: "PermissionDenied",
  });
  assert.deepEqual(permissionRequirementOf(remote), {
    name: "read",
    target: "/x",
  });
  assert.equal(
    permissionRequirementOf(
      new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    ),
    undefined,
  );
  assert.equal(permissionRequirementOf(new TypeError(message)), undefined);
  assert.equal(permissionRequirementOf(message), undefined);
  assert.equal(permissionRequirementOf(undefined), undefined);
});
