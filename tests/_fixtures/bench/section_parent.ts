/**
 * A bench run that measures a section which never ends
 * (`section_child.ts --mode=hang`), for a test to kill.
 *
 * @module
 */
import { measureInChild } from "../../../bench/_section_process.ts";

await measureInChild(
  new URL("./section_child.ts", import.meta.url),
  "pool",
  ["--mode=hang"],
);
