import { db } from "@/lib/db/client";
import { decoyHash, verifySecret } from "./password";

/** The user for this email and password, or null; the same cost whether or not the user exists. */
export async function signInWithPassword({ email, password }: { email: string; password: string }) {
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() } });
  const ok = await verifySecret(password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !user.passwordHash || !ok) return null;
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return user;
}
