/** A hook module that records the worker's pid, then throws while evaluated. */
import "./records_pid.ts";

throw new Error("hook module exploded at import");
