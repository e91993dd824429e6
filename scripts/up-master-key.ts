import { generateMasterKey } from "@/lib/secrets/envelope";

/**
 * What `npm run up` adds to .env for the master key: nothing when .env or the environment
 * already names one (it is never replaced: the stored secrets are sealed under it), else a
 * new random key and the lines that tell the operator so.
 */
export function masterKeyForDotEnv(dotEnv: Record<string, string | undefined>, environment: Record<string, string | undefined>): { values: Record<string, string>; notes: string[] } {
  const given = [dotEnv, environment].some((vars) => vars.GATEHOUSE_MASTER_KEY || vars.GATEHOUSE_MASTER_KEY_FILE);
  if (given) return { values: {}, notes: [] };
  return {
    values: { GATEHOUSE_MASTER_KEY: generateMasterKey() },
    notes: [
      "generated GATEHOUSE_MASTER_KEY into .env: it encrypts every stored secret (docs/SECURITY.md).",
      "Back it up, apart from the database backups: without it the signing keys and webhook secrets cannot be opened.",
    ],
  };
}
