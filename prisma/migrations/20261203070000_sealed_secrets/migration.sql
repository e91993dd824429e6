-- Envelope encryption of stored secrets (issue 13, lib/secrets/envelope.ts). The master key
-- lives outside the database, so existing plaintext cannot be sealed here: each plaintext
-- column becomes nullable and is sealed into its *Sealed column and cleared on first read
-- (lib/agents/signing-keys.ts, lib/evidence/keys.ts, lib/notifications) or by
-- `npm run secrets:rotate`. A row always holds one or the other.

ALTER TABLE "signing_keys" ADD COLUMN "privateJwkSealed" TEXT,
ALTER COLUMN "privateJwk" DROP NOT NULL,
ADD CONSTRAINT "signing_keys_private_key_present" CHECK ("privateJwk" IS NOT NULL OR "privateJwkSealed" IS NOT NULL);

ALTER TABLE "evidence_keys" ADD COLUMN "privateKeySealed" TEXT,
ALTER COLUMN "privateKey" DROP NOT NULL,
ADD CONSTRAINT "evidence_keys_private_key_present" CHECK ("privateKey" IS NOT NULL OR "privateKeySealed" IS NOT NULL);

ALTER TABLE "notification_webhooks" ADD COLUMN "secretSealed" TEXT,
ALTER COLUMN "secret" DROP NOT NULL,
ADD CONSTRAINT "notification_webhooks_secret_present" CHECK ("secret" IS NOT NULL OR "secretSealed" IS NOT NULL);
