/**
 * The standalone worker's command-line flags (DESIGN §1.8), as one table:
 * the parser reads its shape from it and `--help` is written from it, so
 * no flag can be accepted without being documented, or the reverse.
 *
 * @module
 */

/** One flag: whether it takes a value, may repeat, and its help line. */
export interface FlagSpec {
  /** The value's placeholder in help (`HOST:PORT`), absent for a switch. */
  readonly value?: string;
  /** Whether it may be given more than once. */
  readonly repeatable?: boolean;
  /** What it does, for `--help`. */
  readonly help: string;
}

/** Every flag of the standalone worker, in the order `--help` lists them. */
export const WORKER_FLAGS = {
  "--listen": {
    value: "HOST:PORT",
    help:
      "Address to serve on (required); port 0 picks a free port. IPv6 in brackets: [::1]:0",
  },
  "--advertise": {
    value: "HOST:PORT",
    help: "Address pools reach this worker at, when not the listen address",
  },
  "--token-file": {
    value: "FILE",
    help:
      "File holding the secret callers must present (trimmed; not readable by other users)",
  },
  "--tls-cert": {
    value: "FILE",
    help: "PEM certificate to serve TLS with (needs --tls-key)",
  },
  "--tls-key": {
    value: "FILE",
    help: "PEM private key of --tls-cert",
  },
  "--tls-ca": {
    value: "FILE",
    help:
      "PEM CA: callers must present a client certificate it signed (mutual TLS)",
  },
  "--insecure": {
    help:
      "Serve with neither a token nor mutual TLS: anyone who can connect may run tasks",
  },
  "--backpressure": {
    value: "SPEC",
    help:
      "Module of the admission hook (its default export, or --backpressure-export)",
  },
  "--backpressure-export": {
    value: "NAME",
    help: "Export of --backpressure to use instead of its default",
  },
  "--backpressure-options": {
    value: "JSON",
    help:
      "Options for the hook factory: the export is called once as factory(options)",
  },
  "--backpressure-timeout-ms": {
    value: "N",
    help: "How long the hook may take before a task is rejected (default 1000)",
  },
  "--capacity": {
    value: "N",
    help:
      "Tasks run at once, at most: more are rejected (backpressure); told to pools",
  },
  "--tag": {
    value: "T",
    repeatable: true,
    help: "A tag this worker carries, for pools that ask for it (repeatable)",
  },
  "--config": {
    value: "FILE",
    help: "Deno config file task modules resolve bare specifiers with",
  },
  "--grace-ms": {
    value: "N",
    help:
      "How long in-flight tasks may run on after SIGTERM/SIGINT (default 30000)",
  },
  "--nats": {
    value: "URL",
    repeatable: true,
    help:
      "NATS server to announce this worker through (repeatable, or comma-separated)",
  },
  "--nats-subject": {
    value: "S",
    help:
      'Base subject to announce under (default "wool.workers"; needs --nats)',
  },
  "--allow-known-bad-deno": {
    help: "Start on a Deno release known to break wool (2.9.4–2.9.6) anyway",
  },
  "--help": {
    help: "Print this help and exit",
  },
} as const satisfies Record<string, FlagSpec>;

/** A flag's name, `--listen` … `--help`. */
export type WorkerFlag = keyof typeof WORKER_FLAGS;

/** The text `--help` prints: usage, then every flag with its help line. */
export function workerHelp(): string {
  const rows = Object.entries(WORKER_FLAGS).map(([flag, spec]) => {
    const value = "value" in spec ? ` ${spec.value}` : "";
    return [`${flag}${value}`, spec.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    "Usage: deno run -A jsr:@wool/core/worker --listen HOST:PORT [flags]",
    "",
    "Serves tasks to pools on other machines. Prints one line when ready,",
    '"wool-worker listening on <address>", and serves until SIGTERM or SIGINT,',
    "which drain it: it leaves NATS, refuses new tasks as stopping, gives",
    "those in flight --grace-ms, cancels the rest and exits 0. A second signal",
    "stops it at once (exit 128 + the signal's number).",
    "",
    "It authenticates callers with --token-file, mutual TLS (--tls-ca), or",
    "both; without either it serves only with --insecure. Exit codes: 0",
    "drained, 1 cannot start (the hook, the address), 2 a bad flag or file.",
    "",
    "Flags:",
    ...rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`),
    "",
  ].join("\n");
}
