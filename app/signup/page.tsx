import { connection } from "next/server";
import Link from "next/link";
import { env } from "@/lib/env";
import { AuthCard } from "@/components/auth/auth-card";
import { SignUpForm } from "@/components/auth/sign-up-form";

export const metadata = { title: "Create an account" };

export default async function SignUpPage() {
  await connection();
  if (!env().SIGNUP_ENABLED) {
    return (
      <AuthCard title="Sign-up is off" footer={<Link href="/signin" className="font-medium text-brand-600 hover:underline">Back to sign in</Link>}>
        <p className="text-sm text-slate-600">This is a private deployment. Ask an admin of your organization for an invitation.</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Create your Gatehouse account"
      subtitle="You become the owner of a new tenant."
      footer={<>Already have an account? <Link href="/signin" className="font-medium text-brand-600 hover:underline">Sign in</Link></>}
    >
      <SignUpForm />
    </AuthCard>
  );
}
