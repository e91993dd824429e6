import { notFound, redirect } from "next/navigation";
import { can, type Permission } from "./roles";
import { currentUser, findMembership, type MemberContext } from "./member";

/**
 * For console pages: the member context for `/t/[slug]`, enforcing sign-in (redirect),
 * membership (404, so other tenants' existence never shows) and the permission (403 page).
 */
export async function requireMember(slug: string, permission: Permission = "console.view"): Promise<MemberContext> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/t/${slug}`)}`);
  const member = await findMembership(user, slug);
  if (!member) notFound();
  if (!can(member.role, permission)) redirect(`/t/${slug}/forbidden`);
  return member;
}
