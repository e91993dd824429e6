import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/member";
import { env, oidcConfigured } from "@/lib/env";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata = { title: "Sign in" };

/** Only same-site paths are followed after sign-in. */
function safeCallback(url: string | undefined): string {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  if (await currentUser()) redirect(safeCallback(callbackUrl));
  return (
    <AuthCard
      title="Sign in"
      subtitle="The control plane for your AI agents."
      footer={env().SIGNUP_ENABLED ? <>New to Gatehouse? <Link href="/signup" className="font-medium text-brand-600 hover:underline">Create an account</Link></> : null}
    >
      <SignInForm callbackUrl={safeCallback(callbackUrl)} sso={oidcConfigured() ? { name: env().OIDC_NAME } : null} initialError={error} />
    </AuthCard>
  );
}
