import { z } from "zod";
import { currentUser } from "@/lib/auth/member";
import { assertSameOrigin } from "@/lib/http/csrf";
import { AppError } from "@/lib/errors";
import { publicRoute } from "@/lib/http/route";
import { acceptInvitation } from "@/lib/tenancy/accept-invitation";

export const POST = publicRoute({ body: z.object({ token: z.string().min(20).max(200) }) }, async ({ request, body, requestId }) => {
  assertSameOrigin(request);
  const user = await currentUser();
  if (!user) throw new AppError("unauthenticated", "Sign in first.");
  const tenant = await acceptInvitation({ user, token: body.token, requestId });
  return { tenant: { slug: tenant.slug, name: tenant.name } };
});
