/**
 * The credentials the Gatehouse demo upstream accepts, one per fake service. Demo values,
 * known to the demo upstream (servers/demo-upstream.ts) and vaulted by the demo seed; they
 * open nothing anywhere else. In a real deployment an admin pastes the secret into the
 * Connections page and no code knows it.
 */
export const demoUpstreamPort = () => Number(process.env.DEMO_UPSTREAM_PORT ?? 3002);

/** Where the seeded demo tools send their calls; also the host their connections may reach. */
export const demoUpstreamHost = () => `127.0.0.1:${demoUpstreamPort()}`;

export type DemoService = "payments" | "code" | "tickets" | "chat";

export const DEMO_CREDENTIALS: Record<DemoService, { kind: "bearer" | "basic"; username?: string; secret: string }> = {
  payments: { kind: "bearer", secret: "sk_test_gatehouse_demo_payments_4242" },
  code: { kind: "bearer", secret: "ghp_gatehouse_demo_code_hosting_0001" },
  tickets: { kind: "basic", username: "triage-bot@acme.test", secret: "gatehouse-demo-ticketing-token" },
  chat: { kind: "bearer", secret: "xoxb-gatehouse-demo-chat-0001" },
};

/** The Authorization header value the demo upstream expects for a service. */
export function expectedAuthorization(service: DemoService, credentials = DEMO_CREDENTIALS): string {
  const c = credentials[service];
  return c.kind === "basic" ? `Basic ${Buffer.from(`${c.username}:${c.secret}`).toString("base64")}` : `Bearer ${c.secret}`;
}
