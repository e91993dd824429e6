/**
 * Runs once when the Next.js server starts: an invalid configuration (in production, no
 * GATEHOUSE_MASTER_KEY) stops the server here, with the message lib/env.ts writes, instead
 * of failing the first request that opens a secret.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env } = await import("@/lib/env");
    env();
  }
}
