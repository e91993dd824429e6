"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleBody } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, Input, Select } from "@/components/ui/field";
import { Time } from "@/components/ui/time";
import type { ActiveKillSwitch, ToolOption } from "./types";
import { killSwitchScope, killSwitchesKey, useActiveKillSwitches } from "./use-active-kill-switches";

type Pending = { kind: "tenant"; reason: string } | { kind: "tool"; tool: ToolOption; reason: string } | { kind: "lift"; killSwitch: ActiveKillSwitch };
/** The switches this panel engages (an agent is stopped from its own page). */
type Engage = Exclude<ConsoleBody<"POST", "/t/[tenant]/kill-switches">, { scope: "agent" }>;

const MIN_REASON = 3;

/**
 * The tenant-wide and per-tool kill switches, for managers on the Agents page. Engaging
 * or lifting one updates the banner the tenant layout shows on every page.
 */
export function KillSwitchesPanel({
  slug,
  tenantName,
  tools,
  initial,
}: {
  slug: string;
  tenantName: string;
  tools: ToolOption[];
  initial: ActiveKillSwitch[];
}) {
  const queryClient = useQueryClient();
  const switches = useActiveKillSwitches(slug, initial).data;
  const tenantSwitch = switches.find((s) => s.scope === "tenant");
  const stoppedTools = new Set(switches.filter((s) => s.scope === "tool").map((s) => s.target));
  const displayName = new Map(tools.map((t) => [t.name, t.displayName]));

  const [pending, setPending] = useState<Pending | null>(null);
  const [tenantReason, setTenantReason] = useState("");
  const [tenantError, setTenantError] = useState<string>();
  const [toolName, setToolName] = useState("");
  const [toolReason, setToolReason] = useState("");
  const [toolError, setToolError] = useState<string>();

  // The layout's banner reads the same query, so it follows at once.
  const settle = () => queryClient.invalidateQueries({ queryKey: killSwitchesKey(slug) });
  const engage = useMutation({
    mutationFn: (body: Engage) => consoleApi("POST", "/t/[tenant]/kill-switches", { params: { tenant: slug }, body }),
    onSuccess: async (_data, body) => {
      if (body.scope === "tenant") setTenantReason("");
      else setToolReason("");
      await settle();
    },
  });
  const lift = useMutation({
    mutationFn: (id: string) => consoleApi("POST", "/t/[tenant]/kill-switches/[killSwitchId]/lift", { params: { tenant: slug, killSwitchId: id } }),
    onSuccess: settle,
  });

  async function confirm() {
    if (!pending) return;
    if (pending.kind === "tenant") await engage.mutateAsync({ scope: "tenant", reason: pending.reason });
    else if (pending.kind === "tool") await engage.mutateAsync({ scope: "tool", target: pending.tool.name, reason: pending.reason });
    else await lift.mutateAsync(pending.killSwitch.id);
  }

  const availableTools = tools.filter((t) => !stoppedTools.has(t.name));
  const selectedTool = availableTools.find((t) => t.name === toolName) ?? availableTools[0];

  return (
    <section id="kill-switches" aria-labelledby="kill-switches-title" className="scroll-mt-6 rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="border-b border-slate-200 px-4 py-2.5">
        <h2 id="kill-switches-title" className="text-sm font-semibold text-slate-900">
          Kill switches
        </h2>
        <p className="mt-0.5 text-xs text-slate-600">
          Stop every agent, or every call to one tool, at once; it reaches every process within a second and stays on until lifted. To stop a single
          agent, suspend it from its page.
        </p>
      </header>

      <div className="space-y-4 p-4">
        {switches.length > 0 ? (
          <ul className="divide-y divide-red-100 rounded-md bg-red-50 ring-1 ring-inset ring-red-200" aria-label="Active kill switches">
            {switches.map((ks) => (
              <li key={ks.id} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2" data-testid={`kill-switch-${ks.scope}`}>
                <div className="min-w-0 text-sm text-red-950">
                  <Badge tone="red">{ks.scope === "tenant" ? "All agents" : ks.scope === "tool" ? `Tool: ${displayName.get(ks.target ?? "") ?? ks.target}` : `Agent: ${ks.target}`}</Badge>{" "}
                  <span className="font-medium">{ks.reason}</span>{" "}
                  <span className="text-xs text-red-800">
                    by {ks.createdBy}, <Time value={ks.createdAt} />
                  </span>
                </div>
                {ks.scope !== "agent" ? (
                  <Button variant="secondary" size="sm" onClick={() => setPending({ kind: "lift", killSwitch: ks })} aria-label={`Lift: ${killSwitchScope(ks)}`}>
                    Lift
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="flex items-center gap-2 text-sm text-slate-600">
            <Badge tone="green">off</Badge> No kill switch is on.
          </p>
        )}

        <div className="grid gap-4 md:grid-cols-2">
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (tenantReason.trim().length < MIN_REASON) return setTenantError("Say why (at least 3 characters).");
              setTenantError(undefined);
              setPending({ kind: "tenant", reason: tenantReason.trim() });
            }}
          >
            <fieldset className="space-y-2 rounded-md p-3 ring-1 ring-inset ring-slate-200" disabled={Boolean(tenantSwitch)}>
              <legend className="px-1 text-sm font-medium text-slate-900">Stop all agents</legend>
              <p className="text-xs text-slate-600">Every agent&apos;s tokens are refused and no new ones are issued; pending approvals are cancelled and running runs terminated.</p>
              <Field label="Reason" error={tenantError}>
                {(id) => (
                  <Input id={id} value={tenantReason} onChange={(e) => setTenantReason(e.target.value)} maxLength={500} autoComplete="off" placeholder="e.g. Suspected credential leak" aria-invalid={tenantError ? true : undefined} />
                )}
              </Field>
              {tenantSwitch ? (
                <p className="text-xs font-medium text-red-800">On since <Time value={tenantSwitch.createdAt} />.</p>
              ) : (
                <Button type="submit" variant="danger">
                  Stop all agents…
                </Button>
              )}
            </fieldset>
          </form>

          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (!selectedTool) return;
              if (toolReason.trim().length < MIN_REASON) return setToolError("Say why (at least 3 characters).");
              setToolError(undefined);
              setPending({ kind: "tool", tool: selectedTool, reason: toolReason.trim() });
            }}
          >
            <fieldset className="space-y-2 rounded-md p-3 ring-1 ring-inset ring-slate-200" disabled={availableTools.length === 0}>
              <legend className="px-1 text-sm font-medium text-slate-900">Stop a tool</legend>
              <p className="text-xs text-slate-600">No agent may call the tool; its pending approvals are cancelled. Runs carry on with other tools.</p>
              {tools.length === 0 ? (
                <p className="text-xs text-slate-500">No tools are registered yet.</p>
              ) : availableTools.length === 0 ? (
                <p className="text-xs text-slate-500">Every registered tool is already stopped.</p>
              ) : (
                <>
                  <Field label="Tool">
                    {(id) => (
                      <Select id={id} value={selectedTool?.name ?? ""} onChange={(e) => setToolName(e.target.value)}>
                        {availableTools.map((t) => (
                          <option key={t.name} value={t.name}>
                            {t.displayName} ({t.name})
                          </option>
                        ))}
                      </Select>
                    )}
                  </Field>
                  <Field label="Reason" error={toolError}>
                    {(id) => (
                      <Input id={id} value={toolReason} onChange={(e) => setToolReason(e.target.value)} maxLength={500} autoComplete="off" placeholder="e.g. Vendor incident" aria-invalid={toolError ? true : undefined} />
                    )}
                  </Field>
                  <Button type="submit" variant="danger">
                    Stop tool…
                  </Button>
                </>
              )}
            </fieldset>
          </form>
        </div>
      </div>

      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        onConfirm={confirm}
        tone={pending?.kind === "lift" ? "primary" : "danger"}
        title={pending?.kind === "tenant" ? "Stop all agents?" : pending?.kind === "tool" ? `Stop ${pending.tool.displayName}?` : "Lift kill switch?"}
        confirmLabel={pending?.kind === "tenant" ? "Stop all agents" : pending?.kind === "tool" ? `Stop ${pending.tool.displayName}` : "Lift"}
      >
        {pending?.kind === "tenant" ? (
          <div className="space-y-2">
            <p>
              Every agent of <strong>{tenantName}</strong> is refused within a second: existing tokens stop working, no new ones are issued, pending
              approvals are cancelled and running runs are terminated. It stays on until someone lifts it.
            </p>
            <p>
              Reason: <strong>{pending.reason}</strong>
            </p>
          </div>
        ) : pending?.kind === "tool" ? (
          <div className="space-y-2">
            <p>
              No agent may call <strong>{pending.tool.displayName}</strong> (<span className="font-mono">{pending.tool.name}</span>) until the switch is
              lifted; its pending approvals are cancelled.
            </p>
            <p>
              Reason: <strong>{pending.reason}</strong>
            </p>
          </div>
        ) : pending?.kind === "lift" ? (
          <p>
            Lifting ends “{killSwitchScope(pending.killSwitch)}” (on since <Time value={pending.killSwitch.createdAt} />, by {pending.killSwitch.createdBy}).
            Agents may act again within their policies. Cancelled approvals and terminated runs stay as they are.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
