/**
 * Runs once when the Next.js server starts, before the first request:
 * - an invalid configuration (in production, no GATEHOUSE_MASTER_KEY) stops the server here,
 *   with the message lib/env.ts writes. Next.js only logs an error thrown from register()
 *   and keeps serving, every request failing, so the process exits itself;
 * - every request is stamped with its TCP peer address (only the Node.js server has sockets).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  try {
    env();
  } catch (error) {
    console.error(`Gatehouse cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  (await import("./lib/http/stamp-peer-address")).stampPeerAddress();
}
