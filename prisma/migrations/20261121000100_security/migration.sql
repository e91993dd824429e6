-- Row-level security, grants for the application role, and the append-only audit log.
-- The application connects as "gatehouse_app" (no BYPASSRLS, not the owner of any table)
-- and sets app.tenant_id / app.user_id per transaction (lib/db/tenant.ts).
-- scripts/migrate.ts creates the role before migrations run.

GRANT USAGE ON SCHEMA public TO gatehouse_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gatehouse_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO gatehouse_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gatehouse_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO gatehouse_app;

CREATE FUNCTION app_tenant_id() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.tenant_id', true), '') $$;
CREATE FUNCTION app_user_id() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '') $$;

-- Plain tenant-owned tables: visible and writable only inside their tenant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'agents', 'agent_credentials', 'tools', 'tool_operations', 'policy_drafts',
    'policy_versions', 'quotas', 'kill_switches', 'runs', 'run_events', 'decisions',
    'approvals', 'approval_votes', 'audit_entries', 'audit_verifications', 'exports'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id())', t);
  END LOOP;
END $$;

-- Memberships: a tenant sees its members; a signed-in user also sees their own
-- memberships in every tenant (to list and switch tenants). Writes stay tenant-scoped.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY membership_read ON memberships FOR SELECT
  USING ("tenantId" = app_tenant_id() OR "userId" = app_user_id());
CREATE POLICY membership_write ON memberships FOR ALL
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());

-- Tenants: the current tenant, plus the tenants the signed-in user belongs to.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON tenants FOR SELECT
  USING (id = app_tenant_id()
         OR id IN (SELECT "tenantId" FROM memberships WHERE "userId" = app_user_id()));
CREATE POLICY tenant_write ON tenants FOR ALL
  USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());

-- Invitations: the inviting tenant, or whoever holds the token (app.invite_token_hash).
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY invitation_tenant ON invitations FOR ALL
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
CREATE POLICY invitation_holder ON invitations FOR SELECT
  USING ("tokenHash" = nullif(current_setting('app.invite_token_hash', true), ''));

-- ---------- audit log: append-only, hash-chained per tenant ----------
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM gatehouse_app;

CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change();

-- The writer computes the hash (lib/audit); the database checks that each entry links to
-- the tenant's current head, so no code path can fork or skip the chain.
CREATE FUNCTION audit_entries_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE head_seq bigint; head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || NEW."tenantId", 0));
  SELECT seq, hash INTO head_seq, head_hash FROM audit_entries
    WHERE "tenantId" = NEW."tenantId" ORDER BY seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
  END IF;
  IF NEW.seq <> head_seq + 1 OR NEW."prevHash" <> head_hash THEN
    RAISE EXCEPTION 'audit chain link broken for tenant % (expected seq %)', NEW."tenantId", head_seq + 1
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_entries_link BEFORE INSERT ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_check_link();

-- The one sanctioned cross-tenant read: background jobs iterate over tenant ids.
-- SECURITY DEFINER runs as the migrating owner; it returns ids only, never rows.
CREATE FUNCTION unsafe_all_tenant_ids() RETURNS SETOF text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT id FROM tenants ORDER BY id $$;
REVOKE ALL ON FUNCTION unsafe_all_tenant_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unsafe_all_tenant_ids() TO gatehouse_app;
