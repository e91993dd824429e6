/**
 * Next.js hands route handlers a Web Request without the socket, and when a client sends
 * X-Forwarded-For it keeps that instead of the peer's address. So the HTTP server stamps
 * the TCP peer on every request as PEER_HEADER before Next sees it, replacing any value a
 * client sent under that name. Installed once per process from instrumentation.ts.
 */
import http from "node:http";
import https from "node:https";
import { PEER_HEADER } from "./client-address";

export function stampPeerAddress() {
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit;
    if ((emit as { stampsPeer?: boolean }).stampsPeer) continue;
    const stamped = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "unknown";
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    };
    Server.prototype.emit = Object.assign(stamped, { stampsPeer: true }) as typeof emit;
  }
}
