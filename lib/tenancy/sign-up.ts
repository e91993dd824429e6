import { hashSecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/http/errors";
import { createTenant } from "./create-tenant";

/** Self-serve sign-up: a new user who owns a new tenant. */
export async function signUp(input: { name: string; email: string; password: string; tenantName: string; requestId?: string }) {
  let user;
  try {
    user = await db().user.create({
      data: { email: input.email, name: input.name, passwordHash: await hashSecret(input.password) },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", "An account with this email already exists. Sign in instead.");
    throw error;
  }
  const tenant = await createTenant({ name: input.tenantName, owner: user, requestId: input.requestId });
  return { user, tenant };
}
