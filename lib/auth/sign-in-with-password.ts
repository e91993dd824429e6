import { countFailure, waitingFor, type BackoffRule } from "@/lib/auth/failure-backoff";
import { db } from "@/lib/db/client";
import { decoyHash, verifySecret } from "./password";

export const SIGN_IN_LIMITS = { perAccountAndAddress: 5, perAccount: 50, perAddress: 100 } as const;

/** Thrown while the account or address backs off; next-auth passes the message to the form as its error code. */
export class SignInThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("SignInThrottled");
  }
}

// Guessing backs off per account from one address first (the owner signing in from
// elsewhere is not locked out by it), per account from anywhere past a much higher count
// (guessing spread over many addresses), and per address across accounts (spraying).
const rules = (email: string, address: string): BackoffRule[] => [
  { key: ["pair", email, address], free: SIGN_IN_LIMITS.perAccountAndAddress },
  { key: ["account", email], free: SIGN_IN_LIMITS.perAccount },
  { key: ["addr", address], free: SIGN_IN_LIMITS.perAddress },
];
const SCOPE = "signin-fail";

/**
 * The user for this email and password, or null; the same cost whether or not the user
 * exists. Throws SignInThrottled, before checking the password, while failures back off.
 */
export async function signInWithPassword({ email, password, address }: { email: string; password: string; address: string }) {
  const normalized = email.toLowerCase();
  const wait = await waitingFor(SCOPE, rules(normalized, address));
  if (wait > 0) throw new SignInThrottled(wait);
  const user = await db().user.findUnique({ where: { email: normalized } });
  const ok = await verifySecret(password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !user.passwordHash || !ok) {
    await countFailure(SCOPE, rules(normalized, address));
    return null;
  }
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return user;
}
