"use client";

import { useRouter } from "next/navigation";

export function TenantSwitcher({ current, tenants }: { current: string; tenants: { slug: string; name: string; role: string }[] }) {
  const router = useRouter();
  return (
    <div className="px-3">
      <label htmlFor="tenant-switcher" className="mb-1 block text-[11px] font-medium uppercase tracking-wider text-slate-400">
        Tenant
      </label>
      <select
        id="tenant-switcher"
        value={current}
        onChange={(e) => {
          if (e.target.value === "__new") router.push("/welcome");
          else router.push(`/t/${e.target.value}`);
        }}
        className="block w-full rounded-md border-0 bg-slate-800 px-2 py-1.5 text-sm text-white ring-1 ring-inset ring-slate-700 focus:ring-2 focus:ring-brand-500"
      >
        {tenants.map((t) => (
          <option key={t.slug} value={t.slug}>
            {t.name} ({t.role})
          </option>
        ))}
        <option value="__new">+ New tenant…</option>
      </select>
    </div>
  );
}
