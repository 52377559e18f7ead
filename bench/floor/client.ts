/**
 * The floor client: grpc-js calls on the floor server (`server.ts`), with
 * nothing of the pool in between.
 *
 * @module
 */
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import type { Buffer } from "node:buffer";
import { ECHO_MESSAGE, FLOOR_SERVICE, TASK_MESSAGE } from "./service.ts";

const TASK = FLOOR_SERVICE.Task as grpc.MethodDefinition<Buffer, Buffer>;
const ECHO = FLOOR_SERVICE.Echo as grpc.MethodDefinition<Buffer, Buffer>;
const SESSION = FLOOR_SERVICE.Session as grpc.MethodDefinition<
  Buffer,
  Buffer
>;

/** A grpc-js client of the floor server, configured as the pool's is. */
export class FloorClient {
  readonly #client: grpc.Client;

  constructor(address: string) {
    this.#client = new grpc.Client(
      address,
      grpc.credentials.createInsecure(),
      {
        "grpc.enable_retries": 0,
        "grpc.use_local_subchannel_pool": 1,
      },
    );
  }

  /**
   * One task on its own bidi stream: sends the task message and resolves
   * when the second answer (the result) arrives, as the pool's `dispatch`
   * transport resolves a call at its Result frame.
   */
  task(): Promise<void> {
    return new Promise((resolve, reject) => {
      const call = this.#client.makeBidiStreamRequest(
        TASK.path,
        TASK.requestSerialize,
        TASK.responseDeserialize,
      );
      let received = 0;
      call.on("data", () => {
        if (++received === 2) resolve();
      });
      call.on("status", (status: grpc.StatusObject) => {
        if (received < 2) {
          reject(new Error(`Task stream ended early: ${status.details}`));
        }
      });
      call.on("error", () => {
        // The status event carries the same failure.
      });
      call.write(TASK_MESSAGE);
    });
  }

  /** Opens a long-lived stream that echoes each message. */
  openEcho(): LongLivedStream {
    return new LongLivedStream(
      this.#client.makeBidiStreamRequest(
        ECHO.path,
        ECHO.requestSerialize,
        ECHO.responseDeserialize,
      ),
      ECHO_MESSAGE,
      1,
    );
  }

  /** Opens a long-lived stream that answers each task with ack + result. */
  openSession(): LongLivedStream {
    return new LongLivedStream(
      this.#client.makeBidiStreamRequest(
        SESSION.path,
        SESSION.requestSerialize,
        SESSION.responseDeserialize,
      ),
      TASK_MESSAGE,
      2,
    );
  }

  /** Closes the client's channel. */
  close(): void {
    this.#client.close();
  }
}

/**
 * One long-lived bidi stream; each `send()` resolves when the server's last
 * answer to it arrives (answers come in order).
 */
export class LongLivedStream {
  readonly #call: grpc.ClientDuplexStream<Buffer, Buffer>;
  readonly #message: Buffer;
  readonly #answers: number;
  readonly #waiting: (() => void)[] = [];
  #head = 0;
  #received = 0;
  #failure: Error | undefined;

  constructor(
    call: grpc.ClientDuplexStream<Buffer, Buffer>,
    message: Buffer,
    answersPerMessage: number,
  ) {
    this.#call = call;
    this.#message = message;
    this.#answers = answersPerMessage;
    call.on("data", () => {
      if (++this.#received < this.#answers) return;
      this.#received = 0;
      const resolve = this.#waiting[this.#head];
      this.#waiting[this.#head++] = noop;
      if (this.#head > 4096) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      resolve?.();
    });
    call.on("status", (status: grpc.StatusObject) => {
      this.#failure = new Error(`The stream ended: ${status.details}`);
    });
    call.on("error", () => {
      // The status event carries the same failure.
    });
  }

  /** Sends one message; resolves when its last answer arrives. */
  send(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#call.write(this.#message);
    });
  }

  /** Ends the stream. */
  close(): void {
    this.#call.end();
  }
}

function noop(): void {}
