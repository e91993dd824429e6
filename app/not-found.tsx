import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";

export default function NotFound() {
  return (
    <AuthCard title="Not found" footer={<Link href="/" className="font-medium text-brand-600 hover:underline">Go to your console</Link>}>
      <p className="text-sm text-slate-600">There is nothing here, or you do not have access to it.</p>
    </AuthCard>
  );
}
