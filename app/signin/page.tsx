import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/member";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { env, oidcConfigured } from "@/lib/env";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  if (await currentUser()) redirect(safeCallbackPath(callbackUrl));
  return (
    <AuthCard
      title="Sign in"
      subtitle="The control plane for your AI agents."
      footer={env().SIGNUP_ENABLED ? <>New to Gatehouse? <Link href="/signup" className="font-medium text-brand-600 hover:underline">Create an account</Link></> : null}
    >
      <SignInForm callbackUrl={safeCallbackPath(callbackUrl)} sso={oidcConfigured() ? { name: env().OIDC_NAME } : null} initialError={error} />
    </AuthCard>
  );
}
