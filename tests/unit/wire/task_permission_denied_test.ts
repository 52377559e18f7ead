import assert from "node:assert/strict";
import { WoolError } from "../../../src/errors.ts";
import {
  explainTaskPermissionError,
  TaskPermissionDenied,
} from "../../../src/wire/task_permission_denied.ts";

function notCapable(message: string): Error {
  return new Deno.errors.NotCapable(message);
}

Deno.test("explainTaskPermissionError() names the worker.permissions entry that grants it", () => {
  const cases: [string, string][] = [
    [
      'Requires read access to "/data/in.csv", run again with the --allow-read flag',
      'worker: { permissions: { read: ["/data/in.csv"] } }',
    ],
    [
      'Requires net access to "api.example.com:443", run again with the --allow-net flag',
      'worker: { permissions: { net: ["api.example.com:443"] } }',
    ],
    [
      'Requires env access to "API_KEY", run again with the --allow-env flag',
      'worker: { permissions: { env: ["API_KEY"] } }',
    ],
    [
      'Requires run access to "ffmpeg", run again with the --allow-run flag',
      'worker: { permissions: { run: ["ffmpeg"] } }',
    ],
    [
      'Requires sys access to "hostname", run again with the --allow-sys flag',
      'worker: { permissions: { sys: ["hostname"] } }',
    ],
    [
      "Requires env access, run again with the --allow-env flag",
      "worker: { permissions: { env: true } }",
    ],
    [
      "Requires write access to <TMP>, run again with the --allow-write flag",
      "worker: { permissions: { write: true } }",
    ],
  ];
  for (const [message, grant] of cases) {
    const cause = notCapable(message);
    const error = explainTaskPermissionError(cause);
    assert.ok(error instanceof TaskPermissionDenied, message);
    assert.ok(error instanceof WoolError);
    assert.equal(error.name, "TaskPermissionDenied");
    assert.equal(error.grant, grant);
    assert.equal(error.cause, cause);
    assert.ok(error.message.includes(grant), error.message);
  }
});

Deno.test("TaskPermissionDenied's message says what was denied and how to grant it", () => {
  const error = explainTaskPermissionError(
    notCapable(
      'Requires read access to "/data/in.csv", run again with the --allow-read flag',
    ),
  ) as TaskPermissionDenied;
  assert.equal(error.permission, "read");
  assert.equal(error.target, "/data/in.csv");
  assert.equal(
    error.message,
    'The task was denied read access to "/data/in.csv" in its worker: grant it with the pool option ' +
      'worker: { permissions: { read: ["/data/in.csv"] } } (the default, "inherit", passes only ' +
      "permissions this process holds in full, e.g. --allow-read)",
  );
  const placeholder = explainTaskPermissionError(
    notCapable(
      "Requires write access to <TMP>, run again with the --allow-write flag",
    ),
  ) as TaskPermissionDenied;
  assert.equal(placeholder.target, undefined);
  assert.match(
    placeholder.message,
    /denied write access to <TMP> in its worker/,
  );
});

Deno.test("explainTaskPermissionError() works on an error rebuilt from the wire", () => {
  const remote = Object.assign(
    new Error(
      'Requires read access to "/x", run again with the --allow-read flag',
    ),
    { name: "NotCapable" },
  );
  const error = explainTaskPermissionError(remote);
  assert.ok(error instanceof TaskPermissionDenied);
  assert.equal(error.cause, remote);
});

Deno.test("explainTaskPermissionError() returns any other error unchanged", () => {
  for (
    const error of [
      new Error("boom"),
      new TypeError(
        'Requires read access to "/x", run again with the --allow-read flag',
      ),
      new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
      "a string",
      undefined,
    ]
  ) {
    assert.equal(explainTaskPermissionError(error), error);
  }
});

Deno.test("explainTaskPermissionError() returns a hostile value as it is, never throwing", () => {
  const throwingName = new Error("hostile");
  Object.defineProperty(throwingName, "name", {
    get() {
      throw new Error("the name getter exploded");
    },
  });
  const trapped = new Proxy(new Error("proxied"), {
    getPrototypeOf() {
      throw new Error("the getPrototypeOf trap exploded");
    },
  });
  for (const error of [throwingName, trapped]) {
    assert.equal(explainTaskPermissionError(error), error);
  }
});
