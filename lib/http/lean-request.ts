/**
 * The request the lean server (./node-handler.ts) hands a route handler in place of a Web
 * `Request`: the same url, method and headers, and the body it has already read, which
 * ./body.ts's readers return as it is.
 *
 * Not undici's Request: its constructor makes an AbortSignal, and on Node 20 every
 * AbortSignal outlives the young-generation GC (a loop making Requests promoted 1.1–1.5 MB
 * per scavenge). Under the gateway bench, this and bodiless answers cut the agent API's
 * promotion from ~0.6–1.4 MB to ~0.5 MB per scavenge (docs/PERFORMANCE.md). Route code
 * reads requests through url, method, headers and ./body.ts; a body's other readers are
 * here for code that reads more, and the signal is made only if something asks for it.
 */
type RequestPart = Pick<Request, "url" | "method" | "headers" | "body" | "bodyUsed" | "signal" | "arrayBuffer" | "text" | "json">;

export class LeanRequest implements RequestPart {
  readonly body = null;
  readonly bodyUsed = false;
  #signal?: AbortSignal;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    /** The body as the server read it (empty for GET and HEAD). */
    readonly bytes: Buffer,
    /** Calls `abort` if the client goes away before the answer is sent. */
    private readonly onClientGone: (abort: () => void) => void = () => {},
  ) {}

  /** Aborts when the client goes away before its answer (as a Web Request's does). */
  get signal(): AbortSignal {
    if (!this.#signal) {
      const controller = new AbortController();
      this.onClientGone(() => controller.abort());
      this.#signal = controller.signal;
    }
    return this.#signal;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.bytes).buffer;
  }

  async text(): Promise<string> {
    return this.bytes.toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.bytes.toString("utf8"));
  }

  /** What route handlers are typed to take. */
  asRequest(): Request {
    return this as unknown as Request;
  }
}
