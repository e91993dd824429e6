"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { OneTimeSecret } from "@/components/agents/one-time-secret";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, FormError, Input } from "@/components/ui/field";
import { Card } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { isWebhookUrl, type DeliveryStatus, type NotificationSettings } from "@/lib/notifications/schemas";

const STATUS_TONE: Record<DeliveryStatus, Tone> = { pending: "amber", delivered: "green", failed: "red" };

/**
 * Settings → Notifications: the tenant's outgoing webhook (URL, enable/disable, signing
 * secret shown once, regenerate, send test) and its latest deliveries, refreshed while
 * any is still pending.
 */
export function WebhookSettings({ slug, initial }: { slug: string; initial: NotificationSettings }) {
  const queryClient = useQueryClient();
  const key = ["notifications", slug];
  const settings = useQuery({
    queryKey: key,
    queryFn: () => consoleApi("GET", "/t/[tenant]/notifications", { params: { tenant: slug } }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.deliveries.some((d) => d.status === "pending") ? 1_000 : 10_000),
  });
  const webhook = settings.data.webhook;
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);
  const urlProblem = url && !isWebhookUrl(url) ? "Enter an http:// or https:// URL." : undefined;

  const apply = (data: NotificationSettings) => queryClient.setQueryData(key, data);
  const save = useMutation({
    mutationFn: () => consoleApi("PUT", "/t/[tenant]/notifications", { params: { tenant: slug }, body: { url, enabled } }),
    onSuccess: (answer) => {
      apply(answer.settings);
      if (answer.secret) setSecret(answer.secret);
    },
  });
  const test = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/notifications/test", { params: { tenant: slug } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  return (
    <div className="space-y-4">
      {secret ? (
        <OneTimeSecret
          secret={secret}
          title="Webhook signing secret: copy it now"
          hint="It will not be shown again. Your receiver verifies X-Gatehouse-Signature with it."
          copyLabel="Copy signing secret"
          testId="webhook-secret"
          onDismiss={() => setSecret(null)}
        />
      ) : null}
      <Card title="Outgoing webhook">
        <form
          className="space-y-4"
          aria-label="Outgoing webhook"
          onSubmit={(e) => {
            e.preventDefault();
            if (!urlProblem) save.mutate();
          }}
        >
          <p className="text-sm text-slate-600">
            Gatehouse posts Slack-compatible JSON (<code className="font-mono text-xs">{"{text, blocks}"}</code>) here when an approval is requested,
            decided, expires or escalates, and for quota alerts. Each request is signed with{" "}
            <code className="font-mono text-xs">X-Gatehouse-Signature: t=…,v1=…</code> (HMAC-SHA256 of <code className="font-mono text-xs">t.body</code>; see docs/APPROVALS.md)
            and retried with backoff.
          </p>
          <Field label="Webhook URL" hint="http:// or https:// only; a Slack incoming-webhook URL works as is." error={urlProblem}>
            {(id) => <Input id={id} type="url" value={url} placeholder="https://hooks.slack.com/services/…" onChange={(e) => setUrl(e.target.value)} required />}
          </Field>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
            Enabled (when off, nothing is sent)
          </label>
          {webhook ? (
            <p className="text-xs text-slate-500">
              Signing secret: <code className="font-mono" data-testid="secret-hint">{webhook.secretHint}</code> · configured <Time value={webhook.createdAt} />
            </p>
          ) : null}
          <FormError message={save.error?.message ?? test.error?.message} />
          <div className="flex flex-wrap items-center gap-2">
            <Button type="submit" disabled={save.isPending || Boolean(urlProblem)}>
              {save.isPending ? "Saving…" : webhook ? "Save webhook" : "Create webhook"}
            </Button>
            {webhook ? (
              <>
                <Button variant="secondary" onClick={() => test.mutate()} disabled={test.isPending || !webhook.enabled}>
                  {test.isPending ? "Sending…" : "Send test"}
                </Button>
                <Button variant="secondary" onClick={() => setConfirmRegenerate(true)}>
                  Regenerate secret
                </Button>
              </>
            ) : null}
            {save.isSuccess && !save.isPending ? <span className="text-xs text-emerald-700" role="status">Saved.</span> : null}
            {test.isSuccess && !test.isPending ? <span className="text-xs text-emerald-700" role="status">Test queued.</span> : null}
          </div>
        </form>
      </Card>

      <Card title="Deliveries">
        <Table label="Webhook deliveries">
          <thead>
            <tr>
              <Th>Event</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
              <Th>Last answer</Th>
              <Th>Created</Th>
              <Th>Last attempt</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {settings.data.deliveries.length === 0 ? (
              <tr>
                <Td colSpan={6} className="py-6 text-center text-slate-500">No deliveries yet.</Td>
              </tr>
            ) : (
              settings.data.deliveries.map((d) => (
                <tr key={d.id} data-testid={`delivery-${d.kind}`}>
                  <Td>
                    <div className="font-mono text-xs text-slate-900">{d.kind}</div>
                    <div className="max-w-md truncate text-xs text-slate-500" title={d.text}>{d.text}</div>
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  </Td>
                  <Td>{d.attempts}</Td>
                  <Td className="text-xs">
                    {d.lastStatus != null ? <span className="font-mono">HTTP {d.lastStatus}</span> : null}
                    {d.lastError ? <div className="max-w-xs truncate text-red-700" title={d.lastError}>{d.lastError}</div> : null}
                    {d.lastStatus == null && !d.lastError ? <span className="text-slate-400">—</span> : null}
                  </Td>
                  <Td className="text-xs"><Time value={d.createdAt} /></Td>
                  <Td className="text-xs">{d.lastAttemptAt ? <Time value={d.lastAttemptAt} /> : <span className="text-slate-400">—</span>}</Td>
                </tr>
              ))
            )}
          </tbody>
        </Table>
      </Card>

      <ConfirmDialog
        open={confirmRegenerate}
        title="Regenerate the signing secret?"
        confirmLabel="Regenerate"
        tone="primary"
        onClose={() => setConfirmRegenerate(false)}
        onConfirm={async () => {
          const answer = await consoleApi("POST", "/t/[tenant]/notifications/secret", { params: { tenant: slug } });
          apply(answer.settings);
          setSecret(answer.secret);
        }}
      >
        <p className="text-sm text-slate-600">The current secret stops working at once: receivers must switch to the new one, which is shown once.</p>
      </ConfirmDialog>
    </div>
  );
}
