import { z } from "zod";
import { currentUser } from "@/lib/auth/member";
import { AppError } from "@/lib/http/errors";
import { publicRoute } from "@/lib/http/route";
import { acceptInvitation } from "@/lib/tenancy/accept-invitation";

export const POST = publicRoute({ body: z.object({ token: z.string().min(20).max(200) }) }, async ({ body, requestId }) => {
  const user = await currentUser();
  if (!user) throw new AppError("unauthenticated", "Sign in first.");
  const tenant = await acceptInvitation({ user, token: body.token, requestId });
  return { tenant: { slug: tenant.slug, name: tenant.name } };
});
