"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input } from "@/components/ui/field";

export function TenantSettingsForm({ slug, name, canEdit }: { slug: string; name: string; canEdit: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(name);
  const save = useMutation({
    mutationFn: () => consoleApi("PATCH", "/t/[tenant]/settings", { params: { tenant: slug }, body: { name: value } }),
    onSuccess: () => router.refresh(),
  });
  return (
    <form
      className="max-w-md space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="Tenant name" hint={`URL: /t/${slug}`}>
        {(id) => <Input id={id} value={value} onChange={(e) => setValue(e.target.value)} disabled={!canEdit} required minLength={2} maxLength={80} />}
      </Field>
      <FormError message={save.error?.message} />
      {canEdit ? (
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending || value.trim() === name}>
            {save.isPending ? "Saving…" : "Save"}
          </Button>
          {save.isSuccess ? <span className="text-xs text-emerald-700" role="status">Saved. The change is in the audit log.</span> : null}
        </div>
      ) : (
        <p className="text-xs text-slate-500">Only owners and admins can change settings.</p>
      )}
    </form>
  );
}
