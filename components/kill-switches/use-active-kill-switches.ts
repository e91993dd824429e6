import { useQuery } from "@tanstack/react-query";
import { consoleApi } from "@/components/api";
import type { ActiveKillSwitch } from "./types";

export const killSwitchesKey = (slug: string) => ["kill-switches", slug];

/**
 * The tenant's engaged kill switches: seeded by the server render, then re-read every
 * 30 s and on focus, so a switch engaged elsewhere shows on every open console page.
 * The banner and the Agents page's panel share this one query.
 */
export function useActiveKillSwitches(slug: string, initial: ActiveKillSwitch[]) {
  return useQuery({
    queryKey: killSwitchesKey(slug),
    queryFn: async () => (await consoleApi("GET", "/t/[tenant]/kill-switches", { params: { tenant: slug } })).killSwitches,
    initialData: initial,
    refetchInterval: 30_000,
  });
}

/** What an engaged switch stops, in words. */
export function killSwitchScope(ks: Pick<ActiveKillSwitch, "scope" | "target">): string {
  if (ks.scope === "tenant") return "all agents of this tenant are stopped";
  if (ks.scope === "tool") return `no agent may call ${ks.target}`;
  return `agent ${ks.target} is stopped`;
}
