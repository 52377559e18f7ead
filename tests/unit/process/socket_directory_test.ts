import assert from "node:assert/strict";
import { dirname } from "node:path";
import {
  MAX_SOCKET_PATH_BYTES,
  SocketDirectory,
} from "../../../src/process/socket_directory.ts";
import { exists } from "../../_helpers/files.ts";

Deno.test("SocketDirectory.create() makes a private (0700) directory whose sockets fit the OS limit, and remove() takes it away", async () => {
  const directory = await SocketDirectory.create();
  assert.ok(directory !== undefined);
  try {
    const info = await Deno.stat(directory.path);
    assert.ok(info.isDirectory);
    assert.equal(info.mode! & 0o777, 0o700);
    assert.match(directory.path, /\/wool-[^/]+$/);
    const socket = directory.socketPath("w1234567890");
    assert.equal(dirname(socket), directory.path);
    assert.ok(new TextEncoder().encode(socket).length <= MAX_SOCKET_PATH_BYTES);
    await Deno.writeTextFile(directory.socketPath("w1"), "");
    directory.removeSocket("w1");
    directory.removeSocket("w1");
    assert.equal(await exists(directory.socketPath("w1")), false);
  } finally {
    await directory.remove();
  }
  assert.equal(await exists(directory.path), false);
});

Deno.test({
  name:
    "SocketDirectory.create() gives undefined, leaving nothing, when the temporary directory's path leaves no room for a socket name",
  async fn() {
    const parent = await Deno.makeTempDir({ prefix: "wool-long-" });
    const long = `${parent}/${"d".repeat(100)}`;
    await Deno.mkdir(long);
    const before = Deno.env.get("TMPDIR");
    Deno.env.set("TMPDIR", long);
    try {
      assert.equal(await SocketDirectory.create(), undefined);
      assert.deepEqual([...Deno.readDirSync(long)], []);
    } finally {
      if (before === undefined) Deno.env.delete("TMPDIR");
      else Deno.env.set("TMPDIR", before);
      await Deno.remove(parent, { recursive: true });
    }
  },
});
