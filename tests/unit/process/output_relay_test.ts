import assert from "node:assert/strict";
import {
  labelLine,
  LineSplitter,
  OutputRelay,
  TailBuffer,
  writerSink,
} from "../../../src/process/output_relay.ts";

const encoder = new TextEncoder();

function streamOf(
  ...chunks: (string | Uint8Array)[]
): ReadableStream<Uint8Array> {
  return ReadableStream.from(
    chunks.map((chunk) =>
      typeof chunk === "string" ? encoder.encode(chunk) : chunk
    ),
  );
}

function collect(): { texts: string[]; sink: (text: string) => void } {
  const texts: string[] = [];
  return { texts, sink: (text) => void texts.push(text) };
}

Deno.test("LineSplitter splits chunks into lines, keeping a partial line for the next chunk", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push("a\nb"), ["a"]);
  assert.deepEqual(splitter.push("c\n\nd"), ["bc", ""]);
  assert.equal(splitter.end(), "d");
  assert.equal(splitter.end(), undefined);
});

Deno.test("LineSplitter drops the \\r of CRLF, also when \\r and \\n arrive apart", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push("one\r\ntwo\r"), ["one"]);
  assert.deepEqual(splitter.push("\nthree\r"), ["two"]);
  assert.equal(splitter.end(), "three");
  assert.deepEqual(new LineSplitter().push("a\rb\n"), ["a\rb"]);
});

Deno.test("LineSplitter cuts a line longer than its bound", () => {
  const splitter = new LineSplitter(4);
  assert.deepEqual(splitter.push("abcdefghij"), ["abcd", "efgh"]);
  assert.deepEqual(splitter.push("\n"), ["ij"]);
});

Deno.test("labelLine() prefixes a line with the worker id", () => {
  assert.equal(labelLine("w1", "hello"), "[wool w1] hello\n");
  assert.equal(labelLine("w1", ""), "[wool w1]\n");
});

Deno.test("OutputRelay relays each line labelled, the last partial line included", async () => {
  const { texts, sink } = collect();
  const relay = new OutputRelay(streamOf("hel", "lo\r\nwor", "ld\n", "bye"), {
    label: "w1",
    sink,
  });
  await relay.done;
  assert.equal(
    texts.join(""),
    "[wool w1] hello\n[wool w1] world\n[wool w1] bye\n",
  );
});

Deno.test("OutputRelay decodes a character split across chunks", async () => {
  const bytes = encoder.encode("héllo\n");
  const { texts, sink } = collect();
  await new OutputRelay(streamOf(bytes.slice(0, 2), bytes.slice(2)), {
    label: "w1",
    sink,
  }).done;
  assert.equal(texts.join(""), "[wool w1] héllo\n");
});

Deno.test("OutputRelay does not relay the lines its hook takes", async () => {
  const { texts, sink } = collect();
  const seen: string[] = [];
  await new OutputRelay(streamOf("a\nSTATUS\nb\n"), {
    label: "w2",
    sink,
    onLine: (line) => {
      seen.push(line);
      return line === "STATUS";
    },
  }).done;
  assert.deepEqual(seen, ["a", "STATUS", "b"]);
  assert.equal(texts.join(""), "[wool w2] a\n[wool w2] b\n");
});

Deno.test("OutputRelay keeps the relayed lines in its tail", async () => {
  const tail = new TailBuffer(2);
  await new OutputRelay(streamOf("1\n2\n3\n"), {
    label: "w1",
    sink: () => {},
    tail,
  }).done;
  assert.equal(tail.text(), "2\n3\n");
});

Deno.test("OutputRelay reads to the end after its sink throws, and calls it no more", async () => {
  let calls = 0;
  const relay = new OutputRelay(streamOf("a\n", "b\n", "c\n"), {
    label: "w1",
    sink: () => {
      calls++;
      throw new Error("stdout is gone");
    },
  });
  await relay.done;
  assert.equal(calls, 1);
});

Deno.test("OutputRelay waits for an async sink before it reads on", async () => {
  const events: string[] = [];
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      events.push(`pull ${pulls}`);
      if (pulls > 2) controller.close();
      else controller.enqueue(encoder.encode(`line ${pulls}\n`));
    },
  }, { highWaterMark: 0 });
  await new OutputRelay(stream, {
    label: "w1",
    sink: async (text) => {
      events.push(`write ${text.trim()}`);
      await Promise.resolve();
      events.push("written");
    },
  }).done;
  assert.deepEqual(events, [
    "pull 1",
    "write [wool w1] line 1",
    "written",
    "pull 2",
    "write [wool w1] line 2",
    "written",
    "pull 3",
  ]);
});

Deno.test("OutputRelay.cancel() ends a relay whose stream stays open", async () => {
  const { texts, sink } = collect();
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("before\npartial"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const relay = new OutputRelay(stream, { label: "w1", sink });
  await relay.cancel();
  await relay.done;
  assert.ok(cancelled);
  assert.equal(texts.join(""), "[wool w1] before\n[wool w1] partial\n");
});

Deno.test("OutputRelay ends at a read error", async () => {
  const { texts, sink } = collect();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("a\n"));
      controller.error(new Error("read failed"));
    },
  });
  await new OutputRelay(stream, { label: "w1", sink }).done;
  assert.deepEqual(texts, []);
});

Deno.test("TailBuffer keeps the last lines within its line and character bounds", () => {
  const byLines = new TailBuffer(40, 8192);
  for (let i = 0; i < 50; i++) byLines.push(`line ${i}`);
  const lines = byLines.text().split("\n").slice(0, -1);
  assert.equal(lines.length, 40);
  assert.equal(lines[0], "line 10");
  assert.equal(byLines.lastLine(), "line 49");

  const byChars = new TailBuffer(40, 10);
  byChars.push("aaaa");
  byChars.push("bbbb");
  byChars.push("cccc");
  assert.equal(byChars.text(), "bbbb\ncccc\n");

  const long = new TailBuffer(40, 10);
  long.push("0123456789abcdef");
  assert.equal(long.text(), "…89abcdef\n");
  assert.ok(long.text().length <= 10);
});

Deno.test("TailBuffer.lastLine() skips blank lines", () => {
  const tail = new TailBuffer();
  assert.equal(tail.lastLine(), undefined);
  tail.push("  the cause  ");
  tail.push("");
  tail.push("   ");
  assert.equal(tail.lastLine(), "the cause");
});

Deno.test("writerSink() writes whole texts, in order, through partial writes", async () => {
  const written: number[] = [];
  const writer = {
    async write(p: Uint8Array): Promise<number> {
      await Promise.resolve();
      written.push(p[0]);
      return 1;
    },
  };
  const sink = writerSink(writer);
  await Promise.all([sink("ab"), sink("cd")]);
  assert.equal(String.fromCharCode(...written), "abcd");
});

Deno.test("writerSink() rejects when its writer fails, and keeps writing later texts", async () => {
  let fail = true;
  const out: string[] = [];
  const sink = writerSink({
    write(p: Uint8Array): Promise<number> {
      if (fail) return Promise.reject(new Error("broken pipe"));
      out.push(new TextDecoder().decode(p));
      return Promise.resolve(p.length);
    },
  });
  await assert.rejects(Promise.resolve(sink("lost")), /broken pipe/);
  fail = false;
  await sink("kept");
  assert.deepEqual(out, ["kept"]);
});
