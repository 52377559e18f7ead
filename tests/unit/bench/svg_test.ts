import assert from "node:assert/strict";
import {
  escapeXml,
  linearTicks,
  logTicks,
  renderLineChart,
} from "../../../bench/_svg.ts";

Deno.test("logTicks() covers the range with 1, 2 and 5 per decade", () => {
  assert.deepEqual(logTicks(3.2, 450), [2, 5, 10, 20, 50, 100, 200, 500]);
  assert.deepEqual(logTicks(0.5, 0.9), [0.5, 1]);
  assert.deepEqual(logTicks(10, 10), [10]);
});

Deno.test("linearTicks() gives nice steps from min to at least max", () => {
  assert.deepEqual(linearTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(0, 7), [0, 2, 4, 6, 8]);
});

Deno.test("escapeXml() escapes the five XML special characters", () => {
  assert.equal(
    escapeXml(`<a href="x">&'`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&apos;",
  );
});

Deno.test("renderLineChart() draws one path per series, its points, legend and references", () => {
  const svg = renderLineChart({
    title: "p99 <under> load",
    xLabel: "offered load",
    yLabel: "ms",
    yScale: "log",
    xTicks: [{ x: 1, label: "1×" }, { x: 2, label: "2×" }],
    series: [
      {
        name: "hook",
        color: "#1f77b4",
        points: [{ x: 1, y: 5 }, { x: 2, y: 6, label: "6 ms" }],
      },
      {
        name: "none",
        color: "#d62728",
        points: [{ x: 1, y: 5 }, { x: 2, y: 900 }],
      },
    ],
    references: [{ y: 10, label: "target", color: "#777777" }],
  });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.equal(svg.match(/<circle /g)?.length, 4);
  assert.ok(svg.includes("p99 &lt;under&gt; load"));
  assert.ok(svg.includes(">6 ms</text>"));
  assert.ok(svg.includes(">target</text>"));
  assert.ok(svg.includes(">hook</text>") && svg.includes(">none</text>"));
});

Deno.test("renderLineChart() leaves out points a log axis cannot show", () => {
  const svg = renderLineChart({
    title: "t",
    xLabel: "x",
    yLabel: "y",
    yScale: "log",
    xTicks: [{ x: 1, label: "1" }],
    series: [{
      name: "s",
      color: "red",
      points: [{ x: 1, y: 0 }, { x: 2, y: 3 }, { x: 3, y: NaN }],
    }],
  });
  assert.equal(svg.match(/<circle /g)?.length, 1);
});

Deno.test("renderLineChart() rejects a chart with nothing to draw", () => {
  assert.throws(
    () =>
      renderLineChart({
        title: "t",
        xLabel: "x",
        yLabel: "y",
        xTicks: [],
        series: [{ name: "s", color: "red", points: [{ x: 1, y: NaN }] }],
      }),
    RangeError,
  );
});
