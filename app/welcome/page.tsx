import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/member";
import { env } from "@/lib/env";
import { AuthCard } from "@/components/auth/auth-card";
import { CreateTenantForm } from "@/components/auth/create-tenant-form";
import { SignOutButton } from "@/components/shell/sign-out-button";

export const metadata = { title: "Welcome" };

export default async function WelcomePage() {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return (
    <AuthCard
      title="Create a tenant"
      subtitle={`Signed in as ${user.email}.`}
      footer={<span className="[&_button]:text-slate-600">Waiting for an invitation? Open its link. <SignOutButton /></span>}
    >
      {env().SIGNUP_ENABLED ? (
        <CreateTenantForm />
      ) : (
        <p className="text-sm text-slate-600">You are not a member of any tenant yet. Ask an admin of your organization for an invitation.</p>
      )}
    </AuthCard>
  );
}
