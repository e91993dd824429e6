import { expect, type APIRequestContext } from "@playwright/test";

/**
 * Registers an agent in `slug` through the console API (as the signed-in `console`
 * context, owned by the tenant's first member), gives it a client secret and exchanges
 * that for an access token the way an agent does.
 */
export async function registerAgentWithToken(console: APIRequestContext, request: APIRequestContext, slug: string, agent: { name: string; labels?: string[] }) {
  const base = `/api/console/t/${slug}`;
  const { members } = (await (await console.get(`${base}/members`)).json()) as { members: { userId: string }[] };
  const created = await console.post(`${base}/agents`, { data: { ...agent, ownerId: members[0]!.userId } });
  expect(created.status()).toBe(201);
  const { agent: registered } = (await created.json()) as { agent: { id: string } };
  const credential = await console.post(`${base}/agents/${registered.id}/credentials`, { data: { kind: "client_secret", label: "e2e" } });
  expect(credential.status()).toBe(201);
  const { clientSecret } = (await credential.json()) as { clientSecret: string };
  const issued = await request.post("/api/v1/oauth/token", { form: { grant_type: "client_credentials", client_id: registered.id, client_secret: clientSecret } });
  expect(issued.status()).toBe(200);
  const { access_token: token } = (await issued.json()) as { access_token: string };
  return { agentId: registered.id, token };
}
