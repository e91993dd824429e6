import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import { type Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { cedarDocument } from "./compile-rules";
import { diffRules, summarize } from "./diff-rules";
import { policyCache } from "./engine";
import { rulesSchema, type Rule } from "./rules";
import { validateRules } from "./validate-rules";

/** The draft (or, when there is none yet, the published rules) with the published version. */
export async function getPolicy({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const [draft, published, versions] = await Promise.all([
      tx.policyDraft.findUnique({ where: { tenantId } }),
      tx.policyVersion.findFirst({ where: { tenantId }, orderBy: { version: "desc" } }),
      tx.policyVersion.findMany({ where: { tenantId }, orderBy: { version: "desc" }, take: 50, select: { version: true, summary: true, publishedAt: true, publishedById: true } }),
    ]);
    const publishedRules = published ? rulesSchema.parse(published.rules) : [];
    const draftRules = draft ? (draft.rules as unknown as Rule[]) : publishedRules;
    // jsonb reorders keys and the draft may be invalid: diff the parsed form when it parses.
    const parsedDraft = rulesSchema.safeParse(draftRules);
    const authors = await tx.user.findMany({ where: { id: { in: versions.map((v) => v.publishedById) } }, select: { id: true, email: true } });
    const email = new Map(authors.map((a) => [a.id, a.email]));
    return {
      draft: draftRules,
      draftUpdatedAt: draft?.updatedAt.toISOString() ?? null,
      published: published ? { version: published.version, rules: publishedRules, cedar: published.cedar, publishedAt: published.publishedAt.toISOString() } : null,
      changes: diffRules(publishedRules, parsedDraft.success ? parsedDraft.data : draftRules),
      versions: versions.map((v) => ({ version: v.version, summary: v.summary, publishedAt: v.publishedAt.toISOString(), publishedBy: email.get(v.publishedById) ?? "unknown" })),
    };
  });
}

/** Saves the draft as typed (even with problems, so work is never lost) and returns its problems. */
export async function saveDraft(input: { actor: MemberContext; rules: unknown }) {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const { problems } = await validateRules(tx, tenantId, input.rules);
    await tx.policyDraft.upsert({
      where: { tenantId },
      create: { tenantId, rules: input.rules as Prisma.InputJsonValue, updatedById: input.actor.user.id },
      update: { rules: input.rules as Prisma.InputJsonValue, updatedById: input.actor.user.id },
    });
    return { problems };
  });
}

/** Publishes the draft as a new immutable version (refused while it has problems). */
export async function publishPolicy(input: { actor: MemberContext; note?: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const draft = await tx.policyDraft.findUnique({ where: { tenantId } });
    if (!draft) throw new AppError("conflict", "There is no draft to publish.");
    const { rules, problems } = await validateRules(tx, tenantId, draft.rules);
    if (problems.length) throw new AppError("validation_failed", "The draft has problems; fix them before publishing.", problems);
    return createVersion(tx, { tenantId, actor: input.actor, rules, note: input.note, action: "policy.published", requestId: input.requestId });
  });
  await policyCache.invalidate(tenantId);
  return result;
}

/** Rolls back by publishing a copy of an earlier version: history stays linear and immutable. */
export async function rollbackPolicy(input: { actor: MemberContext; version: number; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const target = await tx.policyVersion.findFirst({ where: { tenantId, version: input.version } });
    if (!target) throw new AppError("not_found", `No version ${input.version}.`);
    const rules = rulesSchema.parse(target.rules);
    await tx.policyDraft.upsert({
      where: { tenantId },
      create: { tenantId, rules: rules as Prisma.InputJsonValue, updatedById: input.actor.user.id },
      update: { rules: rules as Prisma.InputJsonValue, updatedById: input.actor.user.id },
    });
    return createVersion(tx, { tenantId, actor: input.actor, rules, note: `Rollback to version ${input.version}`, action: "policy.rolled_back", requestId: input.requestId });
  });
  await policyCache.invalidate(tenantId);
  return result;
}

async function createVersion(
  tx: Parameters<Parameters<typeof withTenant>[1]>[0],
  input: { tenantId: string; actor: MemberContext; rules: Rule[]; note?: string; action: string; requestId?: string },
) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${"policy:" + input.tenantId}, 0))`;
  const previous = await tx.policyVersion.findFirst({ where: { tenantId: input.tenantId }, orderBy: { version: "desc" } });
  const previousRules = previous ? rulesSchema.parse(previous.rules) : [];
  const changes = diffRules(previousRules, input.rules);
  const version = (previous?.version ?? 0) + 1;
  const summary = [input.note, summarize(changes)].filter(Boolean).join(" — ");
  const created = await tx.policyVersion.create({
    data: { tenantId: input.tenantId, version, rules: input.rules as Prisma.InputJsonValue, cedar: cedarDocument(input.rules), summary, publishedById: input.actor.user.id },
  });
  await appendAuditEntry(tx, {
    tenantId: input.tenantId,
    actor: memberActor(input.actor),
    action: input.action,
    target: { type: "policy", id: `v${version}` },
    before: previous ? { version: previous.version } : null,
    after: { version, summary, changes: changes.map((c) => ({ kind: c.kind, rule: c.kind === "changed" ? c.after.id : c.rule.id, name: c.kind === "changed" ? c.after.name : c.rule.name, ...(c.kind === "changed" && { fields: c.fields.map((f) => f.field) }) })) },
    requestId: input.requestId,
  });
  return { version: created.version, summary, changes };
}

/** One version with its Cedar and its diff against the version before it. */
export async function getPolicyVersion({ tenantId, version }: { tenantId: string; version: number }) {
  return withTenant({ tenantId }, async (tx) => {
    const [row, prior] = await Promise.all([
      tx.policyVersion.findFirst({ where: { tenantId, version } }),
      tx.policyVersion.findFirst({ where: { tenantId, version: version - 1 } }),
    ]);
    if (!row) return null;
    const rules = rulesSchema.parse(row.rules);
    return {
      version: row.version,
      summary: row.summary,
      publishedAt: row.publishedAt.toISOString(),
      cedar: row.cedar,
      rules,
      changes: diffRules(prior ? rulesSchema.parse(prior.rules) : [], rules),
      previousCedar: prior?.cedar ?? "",
    };
  });
}
