export async function register() {
  // Only the Node.js server has sockets; the stamp must be in place before the first request.
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/http/stamp-peer-address")).stampPeerAddress();
}
