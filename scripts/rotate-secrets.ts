// `npm run secrets:rotate`: re-seals every stored secret under GATEHOUSE_MASTER_KEY, opening
// older ones with GATEHOUSE_MASTER_KEYS_OLD (docs/SECURITY.md, "Rotating the master key").
import { db } from "@/lib/db/client";
import { currentKeyId } from "@/lib/secrets/envelope";
import { rotateStoredSecrets } from "@/lib/secrets/rotate-secrets";
import { loadDotEnv } from "./dotenv";

loadDotEnv();
try {
  console.log(`re-sealing stored secrets under master key ${currentKeyId()}`);
  const report = await rotateStoredSecrets();
  let failed = 0;
  for (const [table, c] of Object.entries(report)) {
    console.log(`  ${table}: ${c.resealed} re-sealed, ${c.sealedFromPlaintext} sealed from plaintext, ${c.alreadyCurrent} already current, ${c.failed.length} failed`);
    for (const f of c.failed) console.log(`    ✗ ${f}`);
    failed += c.failed.length;
  }
  if (failed) {
    console.error(`${failed} secret(s) could not be opened: add the key that sealed them to GATEHOUSE_MASTER_KEYS_OLD and run again.`);
    process.exitCode = 1;
  } else {
    console.log("done: GATEHOUSE_MASTER_KEYS_OLD may be removed once every process runs with the new key.");
  }
} catch (e) {
  console.error(`✗ ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await db().$disconnect();
}
