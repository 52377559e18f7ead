/**
 * The pool's reaper: a tiny `/bin/sh` process that ends every live worker
 * group when the pool's process dies.
 *
 * A worker exits when its stdin closes, but only once its event loop runs:
 * a task in a synchronous loop never sees the close, and the processes its
 * tasks started never see anything. The reaper closes that gap. The pool
 * writes a line to the reaper's stdin as each worker's group starts and
 * ends:
 *
 * ```text
 * + <pgid>     a worker's group is live
 * ! <pgid>     its worker has exited: kill the rest of the group now
 * - <pgid>     that group has ended: forget it
 * r <path>     the pool's socket directory: remove it when the pool dies
 * ```
 *
 * (`!` is for a pool whose own process may not signal a group: `Deno.kill`
 * needs the unrestricted `run` permission, the reaper only `run` of
 * `/bin/sh`.)
 *
 * When the pool's process dies, however it dies (`SIGKILL` included), the
 * kernel closes the pipe; the reaper reads end of file and runs
 * `kill -KILL -<pgid>` for each group still listed, removes the pool's
 * socket directory (its workers, killed, could not), then exits. The pool's
 * own `close()` ends every group first, forgets it, then closes the pipe:
 * the reaper then signals nothing and exits.
 *
 * The reaper never outlives the pool's process: it exits at end of file,
 * and nothing else holds the pipe's writing end (Deno opens pipes
 * close-on-exec, so no other child inherits it). It runs in a session of
 * its own and ignores `SIGHUP`, `SIGINT` and `SIGTERM`, so a signal meant
 * for the pool's process group (Ctrl-C in a terminal) cannot end it before
 * the pool. It signals only groups the pool listed, and a group is
 * forgotten as soon as it is empty, before its id could be reused.
 *
 * No reaper runs on Windows (no process groups), or when this process may
 * not run `/bin/sh`: a worker whose pool died then exits when it sees its
 * stdin close, which a blocked event loop delays.
 *
 * @module
 */
import type { GroupWatcher } from "./process_group.ts";
import { SPAWNS_IN_OWN_GROUP } from "./process_group.ts";

/** The program the reaper runs. */
const SHELL = "/bin/sh";

/**
 * The reaper's script, for a POSIX shell (Debian's `dash` included, where
 * `kill -KILL -- -PGID` fails: the group is written `-PGID` after the
 * signal). It says `ready` once it ignores the signals. `groups` holds the
 * live ids, space-separated with spaces around each, so a `case` pattern
 * finds an id whole.
 */
const SCRIPT = `trap '' HUP INT TERM
echo ready
exec >/dev/null
groups=' '
dir=''
while read -r op pgid; do
  case $op in
    +) groups="$groups$pgid " ;;
    r) dir=$pgid ;;
    !) kill -KILL -"$pgid" 2>/dev/null ;;
    -) case $groups in *" $pgid "*) groups="\${groups%% $pgid *} \${groups#* $pgid }" ;; esac ;;
  esac
done
for pgid in $groups; do kill -KILL -"$pgid" 2>/dev/null; done
if [ -n "$dir" ]; then /bin/rm -rf -- "$dir"; fi
`;

const encoder = new TextEncoder();

/** Reads `stdout` to its end; true when it said `ready`. */
async function saysReady(stdout: ReadableStream<Uint8Array>): Promise<boolean> {
  let text = "";
  for await (const chunk of stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
  }
  return text === "ready\n";
}

/** The reaper of one pool; see the module doc. */
export class Reaper implements GroupWatcher, AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #writes: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
  }

  /**
   * Starts a reaper and resolves once it is ready (it ignores `SIGHUP`,
   * `SIGINT` and `SIGTERM`), or with `undefined` where none can run: on
   * Windows, or when this process may not run `/bin/sh` (it is never
   * prompted for).
   */
  static async start(): Promise<Reaper | undefined> {
    if (!SPAWNS_IN_OWN_GROUP) return undefined;
    const run = Deno.permissions.querySync({ name: "run", command: SHELL });
    if (run.state !== "granted") return undefined;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(SHELL, {
        args: ["-c", SCRIPT],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
        detached: true,
        clearEnv: true,
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const reaper = new Reaper(child);
    if (await saysReady(child.stdout)) return reaper;
    await reaper.close();
    return undefined;
  }

  /** The reaper's pid. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Lists group `pgid`: the reaper ends it if the pool dies. */
  watch(pgid: number): void {
    this.#write(`+ ${pgid}\n`);
  }

  /** Kills what is left of group `pgid`, whose leader has exited. */
  kill(pgid: number): void {
    this.#write(`! ${pgid}\n`);
  }

  /**
   * Names the pool's socket directory, which the reaper removes (whatever
   * is left in it) when the pool's process dies, and when it is closed.
   */
  removeAtEnd(path: string): void {
    if (!path.includes("\n")) this.#write(`r ${path}\n`);
  }

  /** Forgets group `pgid`: it has ended, and is never signalled again. */
  forget(pgid: number): void {
    this.#write(`- ${pgid}\n`);
  }

  /**
   * Closes the reaper's stdin: it ends the groups still listed and exits.
   * Resolves once it has exited; idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#writes
      .then(() => this.#writer.close())
      .catch(() => {})
      .then(() => this.#child.status)
      .then(() => {});
    return this.#closed;
  }

  /** Closes the reaper, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #write(line: string): void {
    if (this.#closed) return;
    // A reaper that died (killed by hand) cannot be written to; the
    // pool's work goes on without it.
    this.#writes = this.#writes
      .then(() => this.#writer.write(encoder.encode(line)))
      .catch(() => {});
  }
}
