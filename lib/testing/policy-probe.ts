/**
 * A second process for the publish test (lib/policy/publish.int.test.ts): reads the
 * tenant's policy from the in-memory policy cache every ~20 ms, as the decision API does,
 * and prints {"version": n, "live": bool, "at": ms} whenever the version it sees changes.
 * Run: node --import tsx lib/testing/policy-probe.ts <tenantId>. Exits when stdin closes.
 */
import { authState } from "@/lib/agents/auth-state";
import { policyCache } from "@/lib/policy/engine";

const tenantId = process.argv[2]!;
let last: string | undefined;
let stopping = false;

async function loop() {
  while (!stopping) {
    const policy = await policyCache.get(tenantId);
    const key = `${policy.version}/${authState.isLive}`;
    if (key !== last) {
      last = key;
      process.stdout.write(`${JSON.stringify({ version: policy.version, live: authState.isLive, at: Date.now() })}\n`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

process.stdin.on("end", () => {
  stopping = true;
  void authState.close().finally(() => process.exit(0));
});
process.stdin.resume();
void loop();
