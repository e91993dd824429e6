import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { env, oidcConfigured } from "@/lib/env";
import { clientAddress, publicOrigin } from "@/lib/http/client-address";
import { signInWithPassword } from "./sign-in-with-password";
import { signInWithOidc } from "./sign-in-with-oidc";

const credentials = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1024) });

/** next-auth hands authorize a plain object of the request's headers. */
function headersOf(raw: Record<string, unknown> | undefined): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw ?? {})) if (typeof value === "string") headers.set(name, value);
  return headers;
}

function oidcProvider(): NextAuthOptions["providers"] {
  if (!oidcConfigured()) return [];
  const e = env();
  return [
    {
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: { sub: string; email?: string; name?: string; email_verified?: boolean }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    },
  ];
}

/** next-auth v4: JWT sessions carrying the Gatehouse user id; tenants resolve per request. */
export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    // Secure (and __Secure-/__Host- prefixed) cookies whenever the console is served over https.
    useSecureCookies: publicOrigin()?.startsWith("https://") ?? false,
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, req) {
          const parsed = credentials.safeParse(raw);
          if (!parsed.success) return null;
          const user = await signInWithPassword({ ...parsed.data, address: clientAddress({ headers: headersOf(req.headers) }) });
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        const p = profile as { sub?: string; email?: string; email_verified?: boolean; name?: string } | undefined;
        if (!p?.sub || !p.email) return "/signin?error=OidcProfile";
        const user = await signInWithOidc({
          issuer: env().OIDC_ISSUER!,
          subject: p.sub,
          email: p.email,
          emailVerified: p.email_verified === true,
          name: p.name ?? p.email,
        });
        if (!user) return "/signin?error=OidcAccountConflict";
        // Carried to the jwt callback through the account object.
        account.gatehouseUserId = user.id;
        return true;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === "oidc" && typeof account.gatehouseUserId === "string") token.uid = account.gatehouseUserId;
        else if (user) token.uid = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
  };
}
