"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { consoleApi } from "@/components/api";
import { CoverageBadge } from "@/components/connections/coverage-badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input, Select } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { Card, EmptyState } from "@/components/ui/page";
import { EditDeleteButtons } from "@/components/ui/row-actions";
import { Table, Td, Th } from "@/components/ui/table";
import { ImportPanel } from "./import-panel";
import { OperationForm } from "./operation-form";
import { ArgumentList, ReversibleBadge, RiskBadge } from "./risk-badge";
import { ToolForm } from "./tool-form";
import { UpstreamForm } from "./upstream-form";
import { RISK_CLASSES, argumentNames, type Operation, type RiskClass, type Tool } from "./types";

type Panel =
  | { kind: "add-tool" }
  | { kind: "import"; toolId?: string }
  | { kind: "edit-tool"; toolId: string }
  | { kind: "upstream"; toolId: string }
  | { kind: "add-operation"; toolId: string }
  | { kind: "edit-operation"; toolId: string; operationId: string };

/**
 * The tool registry: every tool with its operations (risk class, reversibility,
 * arguments). Managers add tools, import operations from MCP or OpenAPI, edit an
 * operation's schema, risk class and reversibility, and delete operations.
 */
export function ToolsRegistry({ slug, initial, canManage, now }: { slug: string; initial: Tool[]; canManage: boolean; now: number }) {
  const queryClient = useQueryClient();
  const key = ["tools", slug];
  const query = useQuery({ queryKey: key, queryFn: () => consoleApi("GET", "/t/[tenant]/tools", { params: { tenant: slug } }).then((r) => r.tools), initialData: initial, initialDataUpdatedAt: now });
  const tools = query.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });

  const [panel, setPanel] = useState<Panel | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pendingDelete, setPendingDelete] = useState<{ tool: Tool; operation: Operation } | null>(null);
  const [text, setText] = useState("");
  const [risk, setRisk] = useState<"" | RiskClass>("");

  const remove = useMutation({
    mutationFn: (v: { tool: Tool; operation: Operation }) =>
      consoleApi("DELETE", "/t/[tenant]/tools/[toolId]/operations/[operationId]", { params: { tenant: slug, toolId: v.tool.id, operationId: v.operation.id } }),
    onSuccess: (_data, v) => {
      setNotice(`Deleted ${v.tool.name} · ${v.operation.name}. The audit log keeps a copy of it.`);
      return refresh();
    },
  });

  function open(next: Panel) {
    setNotice(null);
    setPanel(next);
    // The import panel sits above the tools: bring it into view when opened from a tool further down.
    if (next.kind === "import") requestAnimationFrame(() => document.getElementById("import-panel")?.scrollIntoView({ block: "nearest" }));
  }
  function done(message: string) {
    setPanel(null);
    setNotice(message);
    void refresh();
  }

  const filtering = text.trim() !== "" || risk !== "";
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return tools.map((t) => ({
      tool: t,
      operations: t.operations.filter(
        (o) => (!risk || o.riskClass === risk) && (!needle || [t.name, t.displayName, o.name, o.description].some((f) => f.toLowerCase().includes(needle))),
      ),
    }));
  }, [tools, text, risk]);
  const total = tools.reduce((n, t) => n + t.operations.length, 0);

  return (
    <div className="space-y-6">
      {canManage ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button onClick={() => open({ kind: "import" })} disabled={panel?.kind === "import" && !panel.toolId}>
            Import operations
          </Button>
          <Button variant="secondary" onClick={() => open({ kind: "add-tool" })} disabled={panel?.kind === "add-tool"}>
            Add tool
          </Button>
        </div>
      ) : null}

      {notice ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200">
          {notice}
        </p>
      ) : null}

      {panel?.kind === "import" ? (
        <div id="import-panel" className="scroll-mt-6">
          <Card title="Import operations">
            <ImportPanel key={panel.toolId ?? "new"} slug={slug} tools={tools} initialToolId={panel.toolId} onDone={done} onCancel={() => setPanel(null)} />
          </Card>
        </div>
      ) : null}
      {panel?.kind === "add-tool" ? (
        <Card title="Add a tool">
          <ToolForm slug={slug} onSaved={done} onCancel={() => setPanel(null)} />
        </Card>
      ) : null}

      {tools.length === 0 ? (
        <EmptyState icon={<Icons.policies className="h-8 w-8" />} title="No tools registered">
          Register the tools your agents call (GitHub, Stripe, Slack, Jira…) with their operations, so allowlists can name them and arguments are checked.
          {canManage ? " Import a whole catalogue from an MCP server's tools/list or an OpenAPI document." : " Ask an owner or admin to register them."}
        </EmptyState>
      ) : (
        <>
          <form role="search" aria-label="Filter operations" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
            <div className="w-72">
              <Input type="search" aria-label="Filter by text" placeholder="Tool, operation, description…" value={text} onChange={(e) => setText(e.target.value)} />
            </div>
            <div className="w-44">
              <Select aria-label="Risk class" value={risk} onChange={(e) => setRisk(e.target.value as "" | RiskClass)}>
                <option value="">All risk classes</option>
                {RISK_CLASSES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </Select>
            </div>
            <span className="text-xs text-slate-500">
              {tools.length} {tools.length === 1 ? "tool" : "tools"}, {total} {total === 1 ? "operation" : "operations"}
            </span>
          </form>

          {shown.map(({ tool, operations }) => {
            if (filtering && operations.length === 0) return null;
            const editingTool = panel?.kind === "edit-tool" && panel.toolId === tool.id;
            const editingUpstream = panel?.kind === "upstream" && panel.toolId === tool.id;
            const addingOperation = panel?.kind === "add-operation" && panel.toolId === tool.id;
            return (
              <section key={tool.id} aria-labelledby={`tool-${tool.id}`} className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid={`tool-${tool.name}`}>
                <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-4 py-3">
                  <div className="min-w-0">
                    <h2 id={`tool-${tool.id}`} className="flex items-center gap-2 text-sm font-semibold text-slate-900">
                      <span>
                        {tool.displayName} <span className="font-mono text-xs font-normal text-slate-500">{tool.name}</span>
                      </span>
                      <CoverageBadge coverage={tool.coverage} />
                    </h2>
                    <p className="mt-0.5 text-xs text-slate-500" data-testid="upstream">
                      {tool.upstream ? (
                        <>
                          Gateway calls {tool.upstream.kind === "mcp" ? "the MCP server " : ""}
                          <span className="font-mono">{tool.upstream.baseUrl}</span> · timeout {tool.upstream.timeoutMs} ms · cap {Math.round(tool.upstream.maxResponseBytes / 1024)} KiB
                        </>
                      ) : (
                        "No upstream: agents call this tool themselves and only ask Gatehouse."
                      )}
                    </p>
                    {tool.description ? <p className="mt-0.5 max-w-3xl text-xs text-slate-600">{tool.description}</p> : null}
                  </div>
                  {canManage ? (
                    <div className="flex items-center gap-1.5">
                      <Button size="sm" variant="secondary" onClick={() => open({ kind: "add-operation", toolId: tool.id })} aria-label={`Add an operation to ${tool.name}`}>
                        Add operation
                      </Button>
                      <Button size="sm" variant="secondary" onClick={() => open({ kind: "import", toolId: tool.id })} aria-label={`Import operations into ${tool.name}`}>
                        Import
                      </Button>
                      <Button size="sm" variant="secondary" onClick={() => open({ kind: "upstream", toolId: tool.id })} aria-label={`Upstream of ${tool.name}`}>
                        Upstream
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => open({ kind: "edit-tool", toolId: tool.id })} aria-label={`Edit ${tool.name}`}>
                        Edit
                      </Button>
                    </div>
                  ) : null}
                </header>
                {editingTool || addingOperation || editingUpstream ? (
                  <div className="border-b border-slate-200 bg-slate-50 p-4">
                    {editingTool ? (
                      <ToolForm slug={slug} tool={tool} onSaved={done} onCancel={() => setPanel(null)} />
                    ) : editingUpstream ? (
                      <UpstreamForm slug={slug} tool={tool} onSaved={done} onCancel={() => setPanel(null)} />
                    ) : (
                      <OperationForm slug={slug} tool={tool} onSaved={done} onCancel={() => setPanel(null)} />
                    )}
                  </div>
                ) : null}
                <div className="p-3">
                  <OperationsTable
                    tool={tool}
                    operations={operations}
                    canManage={canManage}
                    editingId={panel?.kind === "edit-operation" && panel.toolId === tool.id ? panel.operationId : null}
                    editor={(operation) => <OperationForm slug={slug} tool={tool} operation={operation} onSaved={done} onCancel={() => setPanel(null)} />}
                    onEdit={(operation) => open({ kind: "edit-operation", toolId: tool.id, operationId: operation.id })}
                    onDelete={(operation) => setPendingDelete({ tool, operation })}
                  />
                </div>
              </section>
            );
          })}
          {filtering && shown.every((s) => s.operations.length === 0) ? <p className="text-sm text-slate-600">No operation matches the filter.</p> : null}
        </>
      )}

      <ConfirmDialog
        open={pendingDelete !== null}
        title={pendingDelete ? `Delete ${pendingDelete.tool.name} · ${pendingDelete.operation.name}?` : "Delete operation?"}
        confirmLabel="Delete operation"
        onConfirm={() => (pendingDelete ? remove.mutateAsync(pendingDelete) : Promise.resolve())}
        onClose={() => setPendingDelete(null)}
      >
        Agents that propose it will be denied as an unknown operation, and allowlist rules naming it stop matching. The audit log keeps a copy of the operation, its schema
        included.
      </ConfirmDialog>
    </div>
  );
}

function OperationsTable({
  tool,
  operations,
  canManage,
  editingId,
  editor,
  onEdit,
  onDelete,
}: {
  tool: Tool;
  operations: Operation[];
  canManage: boolean;
  editingId: string | null;
  editor: (operation: Operation) => React.ReactNode;
  onEdit: (operation: Operation) => void;
  onDelete: (operation: Operation) => void;
}) {
  const columns = canManage ? 6 : 5;
  return (
    <Table label={`Operations of ${tool.name}`}>
      <thead>
        <tr>
          <Th>Operation</Th>
          <Th>Risk</Th>
          <Th>Reversible</Th>
          <Th>Arguments</Th>
          <Th>Gateway call</Th>
          {canManage ? <Th className="text-right">Actions</Th> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {operations.length === 0 ? (
          <tr>
            <Td colSpan={columns} className="py-6 text-center text-slate-500">
              No operations yet{canManage ? ": add one, or import a catalogue." : "."}
            </Td>
          </tr>
        ) : (
          operations.map((op) =>
            editingId === op.id ? (
              <tr key={op.id}>
                <Td colSpan={columns} className="bg-slate-50 p-4">
                  {editor(op)}
                </Td>
              </tr>
            ) : (
              <tr key={op.id} data-testid={`operation-${op.name}`}>
                <Td>
                  <div className="font-mono text-xs text-slate-900">{op.name}</div>
                  {op.description ? <div className="line-clamp-2 max-w-xl text-xs text-slate-500">{op.description}</div> : null}
                </Td>
                <Td>
                  <RiskBadge risk={op.riskClass} />
                </Td>
                <Td>
                  <ReversibleBadge reversible={op.reversible} />
                </Td>
                <Td>
                  <ArgumentList args={argumentNames(op.argsSchema)} />
                </Td>
                <Td className="text-xs">
                  {tool.upstream?.kind === "mcp" ? (
                    <>
                      <span className="font-mono text-slate-900">tools/call {op.name}</span>
                      <OperationEffects op={op} />
                    </>
                  ) : op.http ? (
                    <>
                      <span className="font-mono text-slate-900">
                        {op.http.method} {op.http.path}
                      </span>
                      <OperationEffects op={op} />
                    </>
                  ) : (
                    <span className="text-slate-400">not mapped</span>
                  )}
                </Td>
                {canManage ? (
                  <Td className="whitespace-nowrap text-right">
                    <EditDeleteButtons name={op.name} onEdit={() => onEdit(op)} onDelete={() => onDelete(op)} />
                  </Td>
                ) : null}
              </tr>
            ),
          )
        )}
      </tbody>
    </Table>
  );
}

/** What a call of the operation leaves behind: the side effect it records and where its spend is read. */
function OperationEffects({ op }: { op: Operation }) {
  return (
    <>
      {op.sideEffectFields ? <div className="text-slate-500">side effect: {op.sideEffectFields.object_type}</div> : null}
      {op.spendField ? (
        <div className="text-slate-500">
          spend: {op.spendField.source === "args" ? "args" : "answer"}.{op.spendField.field} ({op.spendField.unit})
        </div>
      ) : null}
    </>
  );
}
