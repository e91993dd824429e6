"use client";

import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" onClick={() => signOut({ callbackUrl: "/signin" })} className="text-xs text-slate-400 hover:text-white">
      Sign out
    </button>
  );
}
