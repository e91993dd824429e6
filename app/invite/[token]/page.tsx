import Link from "next/link";
import { currentUser } from "@/lib/auth/member";
import { findOpenInvitation } from "@/lib/tenancy/accept-invitation";
import { AuthCard } from "@/components/auth/auth-card";
import { AcceptInvitation } from "@/components/auth/accept-invitation";

export const metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const open = await findOpenInvitation(token);
  if (!open) {
    return (
      <AuthCard title="This invitation cannot be used" footer={<Link href="/signin" className="font-medium text-brand-600 hover:underline">Sign in</Link>}>
        <p className="text-sm text-slate-600">It was used, revoked or has expired. Ask whoever invited you for a new one.</p>
      </AuthCard>
    );
  }
  const user = await currentUser();
  const { invitation, tenant } = open;
  return (
    <AuthCard title={`Join ${tenant.name}`} subtitle={`You are invited as ${invitation.role}.`}>
      {!user ? (
        <div className="space-y-3 text-sm text-slate-600">
          <p>
            Sign in as <strong>{invitation.email}</strong> to accept.
          </p>
          <Link href={`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} className="inline-flex h-9 w-full items-center justify-center rounded-md bg-brand-600 font-medium text-white hover:bg-brand-700">
            Sign in to accept
          </Link>
        </div>
      ) : user.email.toLowerCase() !== invitation.email ? (
        <p className="text-sm text-slate-600">
          This invitation is for <strong>{invitation.email}</strong>, but you are signed in as <strong>{user.email}</strong>. Sign out and sign in with the invited address.
        </p>
      ) : (
        <AcceptInvitation token={token} />
      )}
    </AuthCard>
  );
}
