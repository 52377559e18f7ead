/**
 * Doubles of grpc-js's `Call` and of a client whose channel opens them, as
 * `openBidiCall` (`src/connection/bidi_call.ts`) drives them: the test
 * plays the worker's side of both transports' streams. Messages pass
 * through as they are, so the method given to the code under test should
 * (de)serialize as the identity.
 *
 * @module
 */
import { grpc } from "../../src/wire/grpc.ts";

/** What grpc-js's `Call` reports to, as `openBidiCall` gives it. */
interface CallListener {
  onReceiveMetadata(metadata: grpc.Metadata): void;
  onReceiveMessage(message: unknown): void;
  onReceiveStatus(status: grpc.StatusObject): void;
}

/** A grpc-js `Call` double whose requests are `Req` and responses `Res`. */
export class FakeGrpcCall<Req, Res> {
  /** The request messages written, in order. */
  readonly written: Req[] = [];
  /** How many times the call was cancelled. */
  cancelled = 0;
  /** The metadata the call was started with. */
  metadata: unknown;
  #listener?: CallListener;
  #writeWaiters: (() => void)[] = [];

  start(metadata: unknown, listener: CallListener): void {
    this.metadata = metadata;
    this.#listener = listener;
  }

  startRead(): void {}

  sendMessageWithContext(
    context: { callback?: () => void },
    message: Req,
  ): void {
    this.written.push(message);
    for (const wake of this.#writeWaiters.splice(0)) wake();
    queueMicrotask(() => context.callback?.());
  }

  cancelWithStatus(): void {
    this.cancelled++;
  }

  /** Resolves once `done` holds, checking after each write. */
  async writtenUntil(done: () => boolean): Promise<void> {
    while (!done()) {
      await new Promise<void>((resolve) => this.#writeWaiters.push(resolve));
    }
  }

  /** The worker's response headers. */
  headers(): void {
    this.#listener!.onReceiveMetadata(new grpc.Metadata());
  }

  /** The worker sends a message. */
  send(message: Res): void {
    this.#listener!.onReceiveMessage(message);
  }

  /** Ends the call with a status and, as `[key, value]` entries, its trailers. */
  end(
    code: number,
    details = "",
    entries: [string, string | Buffer][] = [],
  ): void {
    const metadata = new grpc.Metadata();
    for (const [key, value] of entries) metadata.set(key, value);
    this.#listener!.onReceiveStatus({ code, details, metadata });
  }
}

/**
 * A grpc-js client double whose channel, in connectivity `state`, opens a
 * {@linkcode FakeGrpcCall} for each call, recording its method's path.
 */
export class FakeGrpcClient<Req, Res> {
  readonly calls: FakeGrpcCall<Req, Res>[] = [];
  readonly paths: string[] = [];
  readonly #state: grpc.connectivityState;

  constructor(state: grpc.connectivityState = grpc.connectivityState.READY) {
    this.#state = state;
  }

  getChannel() {
    return {
      getConnectivityState: (): grpc.connectivityState => this.#state,
      createCall: (path: string): FakeGrpcCall<Req, Res> => {
        this.paths.push(path);
        const call = new FakeGrpcCall<Req, Res>();
        this.calls.push(call);
        return call;
      },
    };
  }
}
