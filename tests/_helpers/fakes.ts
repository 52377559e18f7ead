/**
 * Fakes of the caller's narrow interfaces, for unit tests of the layers
 * above the transport (grpc-js `MockSubchannel` style):
 *
 * - {@linkcode FakeConnection} implements `TaskConnection`: every `open()`
 *   hands out a {@linkcode FakeChannel} that answers its Task frame from a
 *   script of {@linkcode Answer}s, and writes what happens to a journal;
 * - {@linkcode staticRosterView} is a `RosterView` over a fixed list;
 * - {@linkcode fakeWorker} builds a roster entry around a connection.
 *
 * @module
 */
import { Semaphore } from "../../src/connection/semaphore.ts";
import {
  type ChannelEvent,
  ChannelEvents,
  type TaskChannel,
} from "../../src/connection/task_channel.ts";
import type { TaskConnection } from "../../src/connection/worker_connection.ts";
import type {
  RosterView,
  WorkerId,
  WorkerInfo,
} from "../../src/loadbalancer/load_balancer.ts";
import type { WorkerEnd, WorkerEntry } from "../../src/pool/roster.ts";
import { encodeError } from "../../src/wire/errors.ts";
import type { RequestFrame } from "../../src/wire/frames.ts";
import {
  CANCELLED_STATUS,
  REASON_METADATA_KEY,
  REJECTED_BY_BACKPRESSURE,
  REJECTED_METADATA_KEY,
  Status,
} from "../../src/wire/status.ts";

/**
 * How a fake channel answers its Task frame: the events it delivers at
 * once, or `"hold"` to deliver nothing until the test calls
 * {@linkcode FakeChannel.deliver}.
 */
export type Answer = readonly ChannelEvent[] | "hold";

/** The answers a worker gives, as channel events. */
export const answer = {
  /** The worker accepted the task. */
  ack(generator = false): readonly ChannelEvent[] {
    return [{ kind: "frame", frame: { frame: "ack", ack: { generator } } }];
  },
  /** The worker could not load the task: `error` travels in a Nack. */
  nack(error: unknown): readonly ChannelEvent[] {
    return [{
      kind: "frame",
      frame: { frame: "nack", nack: { error: encodeError(error) } },
    }];
  },
  /** The task ended with a gRPC status before any Ack. */
  status(
    code: number,
    details = "",
    metadata: Record<string, string> = {},
  ): readonly ChannelEvent[] {
    return [{ kind: "end", status: { code, details, metadata } }];
  },
  /** The worker's backpressure hook rejected the task. */
  rejected(
    details = "",
    metadata: Record<string, string> = {},
  ): readonly ChannelEvent[] {
    return answer.status(Status.RESOURCE_EXHAUSTED, details, {
      [REJECTED_METADATA_KEY]: REJECTED_BY_BACKPRESSURE,
      ...metadata,
    });
  },
  /** Like {@linkcode answer.rejected}, with the hook's reason in metadata. */
  rejectedWithReason(reason: string): readonly ChannelEvent[] {
    return answer.rejected("", { [REASON_METADATA_KEY]: reason });
  },
  /** Deliver nothing until the test does. */
  hold: "hold" as Answer,
} as const;

/** One task's channel, answering from a script. */
export class FakeChannel implements TaskChannel {
  /** Frames the caller sent, in order. */
  readonly sent: RequestFrame[] = [];
  readonly #events = new ChannelEvents();
  readonly #answer: Answer;
  readonly #note: (entry: string) => void;
  #cancels = 0;

  constructor(scripted: Answer, note: (entry: string) => void) {
    this.#answer = scripted;
    this.#note = note;
  }

  /** How many times `cancel()` was called. */
  get cancels(): number {
    return this.#cancels;
  }

  /** True once the channel ended (answered with an end, or cancelled). */
  get ended(): boolean {
    return this.#events.ended;
  }

  send(frame: RequestFrame): void {
    this.sent.push(frame);
    this.#note(`send ${frame.frame}`);
    if (frame.frame === "task" && this.#answer !== "hold") {
      this.deliver(this.#answer);
    }
  }

  receive(): Promise<ChannelEvent> {
    return this.#events.next();
  }

  cancel(): void {
    this.#cancels++;
    if (this.#events.ended) return;
    this.#note("cancel");
    this.#events.pushEnd(CANCELLED_STATUS);
  }

  /** Delivers events as the worker would. */
  deliver(events: readonly ChannelEvent[]): void {
    for (const event of events) {
      if (event.kind === "frame") this.#events.pushFrame(event.frame);
      else this.#events.pushEnd(event.status);
    }
  }
}

/** Options of {@linkcode FakeConnection}. */
export interface FakeConnectionOptions {
  /** Permits of the connection's semaphore. @default {100} */
  readonly capacity?: number;
  /** Answers for the channels opened, in order. @default {[]} */
  readonly answers?: readonly Answer[];
  /** The answer once `answers` ran out. @default {answer.ack()} */
  readonly otherwise?: Answer;
  /** Where to note what happens, shared between connections. */
  readonly journal?: string[];
}

/** A `TaskConnection` whose channels answer from a script. */
export class FakeConnection implements TaskConnection {
  readonly address: string;
  readonly permits: Semaphore;
  /** Every channel opened, in order. */
  readonly channels: FakeChannel[] = [];
  /** `"<address> <event>"` entries: open, send <frame>, cancel. */
  readonly journal: string[];
  readonly #answers: Answer[];
  readonly #otherwise: Answer;
  #openWaiters: { count: number; resolve: () => void }[] = [];

  constructor(address: string, options: FakeConnectionOptions = {}) {
    this.address = address;
    this.permits = new Semaphore(options.capacity ?? 100);
    this.journal = options.journal ?? [];
    this.#answers = [...(options.answers ?? [])];
    this.#otherwise = options.otherwise ?? answer.ack();
  }

  /** Queues answers for the next channels to open. */
  script(...answers: Answer[]): void {
    this.#answers.push(...answers);
  }

  open(): TaskChannel {
    const scripted = this.#answers.shift() ?? this.#otherwise;
    const channel = new FakeChannel(
      scripted,
      (entry) => this.journal.push(`${this.address} ${entry}`),
    );
    this.channels.push(channel);
    this.journal.push(`${this.address} open`);
    this.#openWaiters = this.#openWaiters.filter((waiter) => {
      if (this.channels.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return channel;
  }

  /** Resolves once `count` channels in all have been opened. */
  opened(count: number): Promise<void> {
    if (this.channels.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#openWaiters.push({ count, resolve }));
  }
}

/** Brands a string as a worker id. */
export function workerId(id: string): WorkerId {
  return id as WorkerId;
}

/** Options of {@linkcode fakeWorker}. */
export interface FakeWorkerOptions {
  /** @default {1000 + a counter} */
  readonly pid?: number;
  /** How the process ended; pending (alive) when absent. */
  readonly exit?: WorkerEnd;
}

let nextPid = 1000;

/** A roster entry for `connection`, under `id`. */
export function fakeWorker(
  id: string,
  connection: TaskConnection,
  options: FakeWorkerOptions = {},
): WorkerEntry {
  const exit = options.exit;
  return {
    info: Object.freeze({
      id: workerId(id),
      address: connection.address,
      pid: options.pid ?? nextPid++,
    }),
    connection,
    exited: exit ? Promise.resolve(exit) : new Promise<WorkerEnd>(() => {}),
  };
}

/**
 * A read-only roster view over a fixed list of workers, with the tasks in
 * flight on each from `inFlight` (by id; 0 for one it does not name).
 */
export function staticRosterView(
  workers: readonly WorkerInfo[],
  inFlight: Readonly<Record<string, number>> = {},
): RosterView {
  const byId = new Map(workers.map((info) => [info.id, info]));
  const ids = Object.freeze([...byId.keys()]);
  return Object.freeze({
    ids,
    size: ids.length,
    get: (id: WorkerId) => byId.get(id),
    inFlight: (id: WorkerId) => byId.has(id) ? inFlight[id] ?? 0 : 0,
  });
}

/** `WorkerInfo` records for ids `w1` … `wN`, at made-up addresses. */
export function workerInfos(count: number): WorkerInfo[] {
  return Array.from({ length: count }, (_, i) =>
    Object.freeze({
      id: workerId(`w${i + 1}`),
      address: `127.0.0.1:${5001 + i}`,
      pid: 2001 + i,
    }));
}
