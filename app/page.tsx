import { redirect } from "next/navigation";
import { currentUser, listMyTenants } from "@/lib/auth/member";

/** Sends people where they belong: sign-in, their first tenant, or creating one. */
export default async function Home() {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const tenants = await listMyTenants(user.id);
  redirect(tenants[0] ? `/t/${tenants[0].slug}` : "/welcome");
}
