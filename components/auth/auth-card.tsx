import { Icons } from "@/components/ui/icons";

export function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle?: string; children: React.ReactNode; footer?: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-slate-100 px-4 py-12">
      <div className="mb-6 flex items-center gap-2 text-slate-900">
        <Icons.shield className="h-6 w-6 text-brand-600" />
        <span className="text-lg font-semibold tracking-tight">Gatehouse</span>
      </div>
      <main className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-slate-600">{subtitle}</p> : null}
        <div className="mt-5">{children}</div>
      </main>
      {footer ? <div className="mt-4 text-sm text-slate-600">{footer}</div> : null}
    </div>
  );
}
