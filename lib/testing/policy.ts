/** Test helpers for policies and decisions: a tenant with tools, an agent with a token, rules published. */
import type { MemberContext } from "@/lib/auth/member";
import { signAgentToken } from "@/lib/agents/agent-token";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { withTenant } from "@/lib/db/tenant";
import { newId } from "@/lib/ids";
import { publishPolicy, saveDraft } from "@/lib/policy/manage-policy";
import type { RuleInput } from "@/lib/policy/rules";
import { createTestCredential, createTestTenant, uniq } from "./factories";

export const TOOLS = {
  stripe: {
    "refunds.create": { risk: "money" as const, schema: { type: "object", properties: { charge_id: { type: "string" }, amount_cents: { type: "integer", minimum: 1 }, currency: { type: "string" }, reason: { type: "string" }, force: { type: "boolean" } }, required: ["charge_id", "amount_cents"] } },
    "charges.retrieve": { risk: "read" as const, schema: { type: "object", properties: { charge_id: { type: "string" } }, required: ["charge_id"] } },
  },
  github: {
    "repos.get": { risk: "read" as const, schema: { type: "object", properties: { repo: { type: "string" } }, required: ["repo"] } },
    "pulls.merge": { risk: "deploy" as const, schema: { type: "object", properties: { repo: { type: "string" }, base: { type: "string" } }, required: ["repo"] } },
  },
  slack: {
    "chat.postMessage": { risk: "write" as const, schema: { type: "object", properties: { channel: { type: "string" }, text: { type: "string" } }, required: ["channel", "text"] } },
  },
  webhooks: {
    "send": { risk: "write" as const, schema: { type: "object", properties: { url: { type: "string" }, body: { type: "string" } }, required: ["url"] } },
  },
};

export async function createPolicyTenant(opts: { labels?: string[] } = {}) {
  await ensureSigningKey();
  const { tenant, owner } = await createTestTenant();
  const agent = await withTenant({ tenantId: tenant.id }, async (tx) => {
    for (const [name, ops] of Object.entries(TOOLS)) {
      await tx.tool.create({
        data: {
          tenantId: tenant.id,
          name,
          displayName: name,
          operations: { create: Object.entries(ops).map(([op, spec]) => ({ name: op, riskClass: spec.risk, argsSchema: spec.schema, reversible: spec.risk === "read" })) },
        },
      });
    }
    return tx.agent.create({ data: { id: newId("agt"), tenantId: tenant.id, name: `bot-${uniq()}`, ownerId: owner.user.id, labels: opts.labels ?? ["support"] } });
  });
  const credential = await createTestCredential(tenant.id, agent.id);
  const { token } = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 600 });
  return { tenant, owner, agent, token };
}

let counter = 0;
export function rule(fields: Partial<RuleInput> & Pick<RuleInput, "tool" | "operations">): RuleInput {
  counter++;
  return { id: `r_${uniq()}${counter.toString(36).padStart(4, "0")}`, name: `rule ${counter}`, ...fields };
}

export async function publishRules(owner: MemberContext, rules: RuleInput[]) {
  const saved = await saveDraft({ actor: owner, rules });
  if (saved.problems.length) throw new Error(`rules have problems: ${JSON.stringify(saved.problems)}`);
  return publishPolicy({ actor: owner });
}
