import { env } from "@/lib/env";
import { assertSameOrigin } from "@/lib/http/csrf";
import { AppError } from "@/lib/errors";
import { publicRoute, reply } from "@/lib/http/route";
import { signUpInput } from "@/lib/tenancy/schemas";
import { signUp } from "@/lib/tenancy/sign-up";

export const POST = publicRoute({ body: signUpInput }, async ({ request, body, requestId }) => {
  assertSameOrigin(request);
  if (!env().SIGNUP_ENABLED) throw new AppError("forbidden", "Sign-up is turned off on this deployment. Ask an admin for an invitation.");
  // The same answer whether or not the email already has an account (lib/tenancy/sign-up.ts).
  const { slug } = await signUp({ ...body, requestId });
  return reply({ tenant: { slug, name: body.tenantName } }, { status: 201 });
});
