import { expect, type APIRequestContext } from "@playwright/test";

type Operation = { name: string; riskClass: string; reversible: boolean; argsSchema: Record<string, unknown> };

/** A tool and its operations in `slug`'s registry, through the console API as the signed-in `console` context. */
export async function addTool(console: APIRequestContext, slug: string, tool: { name: string; displayName: string }, operations: Operation[]) {
  const base = `/api/console/t/${slug}`;
  const created = await console.post(`${base}/tools`, { data: tool });
  expect(created.status()).toBe(201);
  const { tool: registered } = (await created.json()) as { tool: { id: string } };
  for (const operation of operations) expect((await console.post(`${base}/tools/${registered.id}/operations`, { data: operation })).status()).toBe(201);
}

/** Saves `rules` as `slug`'s draft (it must have no problems) and publishes it. */
export async function publishRules(console: APIRequestContext, slug: string, rules: Record<string, unknown>[]) {
  const base = `/api/console/t/${slug}`;
  expect((await (await console.put(`${base}/policy/draft`, { data: { rules } })).json()).problems).toEqual([]);
  expect((await console.post(`${base}/policy/publish`, { data: {} })).status()).toBe(200);
}
