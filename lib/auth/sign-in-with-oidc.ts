import { db } from "@/lib/db/client";

/**
 * Finds or creates the Gatehouse user for an OIDC identity. An existing account with the
 * same email is linked only when the provider says the email is verified and the account
 * is not already bound to another identity; otherwise null (sign-in refused).
 */
export async function signInWithOidc(input: {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}) {
  const email = input.email.toLowerCase();
  const bound = await db().user.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: input.issuer, oidcSubject: input.subject } },
  });
  if (bound) return db().user.update({ where: { id: bound.id }, data: { lastLoginAt: new Date() } });

  const byEmail = await db().user.findUnique({ where: { email } });
  if (byEmail) {
    if (!input.emailVerified || byEmail.oidcSubject) return null;
    return db().user.update({
      where: { id: byEmail.id },
      data: { oidcIssuer: input.issuer, oidcSubject: input.subject, lastLoginAt: new Date() },
    });
  }
  return db().user.create({
    data: { email, name: input.name, oidcIssuer: input.issuer, oidcSubject: input.subject, lastLoginAt: new Date() },
  });
}
