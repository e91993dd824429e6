-- Evidence for auditors (issue 7): export jobs with cancel and signing metadata, the
-- Ed25519 evidence keys, and the per-tenant chain of signed digests over run events and
-- decisions (lib/evidence, docs/EVIDENCE.md).

-- ---------- export jobs ----------
ALTER TABLE "exports" ADD COLUMN     "bytes" BIGINT,
ADD COLUMN     "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "counts" JSONB,
ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- ---------- evidence signing keys (global, like signing_keys) ----------
-- Known limitation, shared with signing_keys: the private key is stored unencrypted.
CREATE TABLE "evidence_keys" (
    "kid" TEXT NOT NULL,
    "publicJwk" JSONB NOT NULL,
    "privateKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "evidence_keys_pkey" PRIMARY KEY ("kid")
);
GRANT SELECT, INSERT, UPDATE ON "evidence_keys" TO gatehouse_app;
REVOKE DELETE, TRUNCATE ON "evidence_keys" FROM gatehouse_app;

-- ---------- digests: append-only, signed, hash-chained per tenant ----------
CREATE TABLE "evidence_digests" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "fromEventId" BIGINT NOT NULL,
    "toEventId" BIGINT NOT NULL,
    "firstAt" TIMESTAMP(3),
    "lastAt" TIMESTAMP(3),
    "eventCount" INTEGER NOT NULL,
    "decisionCount" INTEGER NOT NULL,
    "eventsHead" TEXT NOT NULL,
    "payloadsHead" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_digests_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "evidence_digests_tenantId_periodEnd_idx" ON "evidence_digests"("tenantId", "periodEnd");
CREATE UNIQUE INDEX "evidence_digests_tenantId_seq_key" ON "evidence_digests"("tenantId", "seq");

ALTER TABLE evidence_digests ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence_digests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evidence_digests
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
GRANT SELECT, INSERT ON "evidence_digests" TO gatehouse_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "evidence_digests" FROM gatehouse_app;

CREATE FUNCTION evidence_digests_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_digests is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER evidence_digests_no_update BEFORE UPDATE OR DELETE ON evidence_digests
  FOR EACH ROW EXECUTE FUNCTION evidence_digests_refuse_change();
CREATE TRIGGER evidence_digests_no_truncate BEFORE TRUNCATE ON evidence_digests
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_digests_refuse_change();

-- Each digest links to the tenant's current head and continues its event range, so no
-- code path can fork the chain, skip events or cover an event twice.
CREATE FUNCTION evidence_digests_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE head_seq bigint; head_hash text; head_to bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evidence:' || NEW."tenantId", 0));
  SELECT seq, hash, "toEventId" INTO head_seq, head_hash, head_to FROM evidence_digests
    WHERE "tenantId" = NEW."tenantId" ORDER BY seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
    head_to := 0;
  END IF;
  IF NEW.seq <> head_seq + 1 OR NEW."prevHash" <> head_hash OR NEW."fromEventId" <> head_to
     OR NEW."toEventId" < NEW."fromEventId" THEN
    RAISE EXCEPTION 'evidence digest chain link broken for tenant % (expected seq %)', NEW."tenantId", head_seq + 1
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER evidence_digests_link BEFORE INSERT ON evidence_digests
  FOR EACH ROW EXECUTE FUNCTION evidence_digests_check_link();

-- ---------- run events in id order per tenant ----------
-- Digests cover id ranges: the sealing job takes a SHARE lock on run_events (waiting for
-- in-flight inserts) and reads the id sequence, so every id at or below the mark belongs
-- to a finished transaction. That holds only if ids are handed out in order, i.e. the
-- sequence does not cache values per session: pin CACHE 1 (the default) explicitly.
ALTER SEQUENCE "run_events_id_seq" CACHE 1;
CREATE INDEX "run_events_tenant_id_idx" ON "run_events"("tenantId", "id");
