"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input } from "@/components/ui/field";

export function SignUpForm() {
  const router = useRouter();
  const [form, setForm] = useState({ name: "", email: "", password: "", tenantName: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { tenant } = await consoleApi("POST", "/signup", { body: form });
      const result = await signIn("credentials", { email: form.email, password: form.password, redirect: false });
      // Sign-up answers alike for every address; only the account's own password signs in.
      if (result?.error) throw new Error("Could not sign you in. If this address already has an account, sign in with its password.");
      router.push(`/t/${tenant.slug}`);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3">
      <Field label="Your name">{(id) => <Input id={id} required autoFocus autoComplete="name" value={form.name} onChange={set("name")} />}</Field>
      <Field label="Work email">{(id) => <Input id={id} type="email" required autoComplete="email" value={form.email} onChange={set("email")} />}</Field>
      <Field label="Password" hint="At least 10 characters.">
        {(id) => <Input id={id} type="password" required minLength={10} autoComplete="new-password" value={form.password} onChange={set("password")} />}
      </Field>
      <Field label="Organization" hint="Becomes your tenant; you are its owner.">
        {(id) => <Input id={id} required minLength={2} value={form.tenantName} onChange={set("tenantName")} />}
      </Field>
      <FormError message={error} />
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? "Creating…" : "Create account"}
      </Button>
    </form>
  );
}
