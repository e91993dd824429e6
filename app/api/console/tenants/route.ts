import { currentUser } from "@/lib/auth/member";
import { env } from "@/lib/env";
import { assertSameOrigin } from "@/lib/http/csrf";
import { AppError } from "@/lib/errors";
import { publicRoute, reply } from "@/lib/http/route";
import { createTenant } from "@/lib/tenancy/create-tenant";
import { createTenantInput } from "@/lib/tenancy/schemas";

/** A signed-in user creates another tenant they own. */
export const POST = publicRoute({ body: createTenantInput }, async ({ request, body, requestId }) => {
  assertSameOrigin(request);
  const user = await currentUser();
  if (!user) throw new AppError("unauthenticated", "Sign in first.");
  if (!env().SIGNUP_ENABLED) throw new AppError("forbidden", "Creating tenants is turned off on this deployment.");
  const tenant = await createTenant({ name: body.name, owner: user, requestId });
  return reply({ tenant: { slug: tenant.slug, name: tenant.name } }, { status: 201 });
});
