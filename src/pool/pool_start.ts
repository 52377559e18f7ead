/**
 * What `WorkerPool.start()` sets up before the pool takes calls, from its
 * resolved options: for spawned workers, the permission check, the private
 * socket directory and the pool's secret; for discovered ones, the dialer
 * with the pool's `credentials`; then both started together
 * (`members.ts`), up to the `quorum`. Each part gets only its slice of the
 * options.
 *
 * @module
 */
import { poolConnectionLimits, WORKER_HOST } from "../wire/launch.ts";
import { launchCommands } from "../process/launch.ts";
import { FRAME_OVERHEAD_BYTES } from "../wire/frames.ts";
import { checkPoolPermissions } from "../process/preflight.ts";
import { SocketDirectory } from "../process/socket_directory.ts";
import type { FleetOptions } from "./fleet.ts";
import { Members, type MembersOptions } from "./members.ts";
import type { ResolvedPoolOptions } from "./options.ts";
import { remoteDialer } from "./remote_dial.ts";
import type { Roster } from "./roster.ts";
import { createPoolSecret } from "./secret.ts";
import type { StatsBook } from "./stats.ts";

/** What a started pool holds on to. */
export interface StartedMembers {
  readonly members: Members;
  /** The spawned workers' socket directory, when they listen on sockets. */
  readonly sockets: SocketDirectory | undefined;
  /** The secret spawned workers require of every call. */
  readonly secret: string;
}

/**
 * Starts a pool's workers into `roster`.
 *
 * @throws {MissingPermission} when spawning needs a permission this
 * process lacks; nothing is started.
 * @throws {WorkerStartError} / {QuorumNotMet} as `Members.start()` does;
 * nothing is left running.
 */
export async function startMembers(
  resolved: ResolvedPoolOptions,
  roster: Roster,
  stats: StatsBook,
): Promise<StartedMembers> {
  const secret = createPoolSecret();
  const spawning = resolved.spawn > 0;
  const unix = resolved.launch.listen === "unix" &&
    Deno.build.os !== "windows";
  if (spawning) {
    checkPoolPermissions({
      commands: launchCommands(resolved.launch),
      ...(unix
        ? { socketParent: temporaryDirectory() }
        : { hosts: [WORKER_HOST] }),
    });
  }
  const sockets = spawning && unix ? await SocketDirectory.create() : undefined;
  const fleet: FleetOptions = {
    launch: resolved.launch,
    sockets,
    host: WORKER_HOST,
    secret,
    limits: poolConnectionLimits(resolved.maxConcurrentDispatches),
    backpressure: resolved.backpressure,
    backpressureTimeoutMs: resolved.backpressureTimeoutMs,
    maxMessageBytes: resolved.maxMessageBytes,
    maxConcurrentDispatches: resolved.maxConcurrentDispatches,
    startTimeoutMs: resolved.startTimeoutMs,
    unresponsiveMs: resolved.workerUnresponsiveMs,
    transport: resolved.transport,
    respawn: resolved.respawn,
    recycle: resolved.recycle,
    roster,
    stats,
  };
  const options: MembersOptions = {
    roster,
    spawn: spawning ? { options: fleet, count: resolved.spawn } : undefined,
    discovery: resolved.discovery && {
      discovery: resolved.discovery,
      options: {
        dial: remoteDialer({
          credentials: resolved.credentials,
          tags: resolved.tags,
          maxConcurrentDispatches: resolved.maxConcurrentDispatches,
          maxFrameBytes: resolved.maxMessageBytes + FRAME_OVERHEAD_BYTES,
          transport: resolved.transport,
        }),
        stats,
        tags: resolved.tags,
        lease: resolved.lease,
        unresponsiveMs: resolved.workerUnresponsiveMs,
      },
    },
    quorum: resolved.quorum,
    quorumTimeoutMs: resolved.quorumTimeoutMs,
  };
  try {
    return { members: await Members.start(options), sockets, secret };
  } catch (error) {
    await sockets?.remove();
    throw error;
  }
}

/**
 * The directory `Deno.makeTempDir` makes directories in: `$TMPDIR` when
 * this process may read it, else `/tmp`.
 */
function temporaryDirectory(): string {
  const readable = Deno.permissions.querySync({
    name: "env",
    variable: "TMPDIR",
  }).state === "granted";
  return (readable ? Deno.env.get("TMPDIR") : undefined) || "/tmp";
}
