import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import { AttestedMark, SourceMark, TypeBadge, causalLink, gatewaySideEffects, isAttestedCall } from "./event-line";
import { formatElapsed } from "./format";
import type { TimelineEvent } from "./types";

const META = new Set(["id", "run_id", "type", "ts", "source", "agent_id", "received_at", "payload_sha256", "redacted", "seq"]);

/** Pretty JSON with redacted values marked, so a reader sees what was removed before storage. */
function JsonView({ value }: { value: unknown }) {
  const text = JSON.stringify(value, null, 2) ?? "null";
  const parts = text.split(/("\[REDACTED[^"]*\]")/g);
  return (
    <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-[11px] leading-relaxed text-slate-800 ring-1 ring-inset ring-slate-200">
      {parts.map((part, i) =>
        part.startsWith('"[REDACTED') ? (
          <mark key={i} className="rounded bg-amber-100 px-0.5 text-amber-900" title="Redacted before storage">
            {part}
          </mark>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

/** The stored (redacted) payload of one event, with its provenance and causal link. */
export function PayloadViewer({ event, position, onFollow }: { event: TimelineEvent; position: number; onFollow: (id: string) => void }) {
  const payload = Object.fromEntries(Object.entries(event).filter(([k]) => !META.has(k)));
  const link = causalLink(event);
  return (
    <section aria-label="Event payload" className="space-y-2" data-testid="payload-viewer">
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="text-xs tabular-nums text-slate-500">#{(position + 1).toLocaleString("en-US")}</span>
        <TypeBadge event={event} />
        <SourceMark source={event.source} />
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-[11px] text-slate-600">
        <dt>event id</dt>
        <dd className="break-all font-mono text-slate-900">{event.id}</dd>
        <dt>at</dt>
        <dd>
          <Time value={event.ts} />
        </dd>
        <dt>received</dt>
        <dd>
          <Time value={event.received_at} />
        </dd>
        <dt>agent</dt>
        <dd className="break-all font-mono">{event.agent_id}</dd>
        <dt>sha-256</dt>
        <dd className="break-all font-mono" title="SHA-256 of the original event, before redaction">
          {event.payload_sha256}
        </dd>
      </dl>
      {isAttestedCall(event) ? <AttestedCall event={event} /> : null}
      {link ? (
        <Button variant="secondary" size="sm" onClick={() => onFollow(link.id)}>
          Go to its {link.label} <span className="font-mono">{link.id}</span>
        </Button>
      ) : null}
      {event.redacted?.length === 1 && event.redacted[0] === "*" ? (
        <p className="text-[11px] text-amber-800">The payload was removed by the tenant&apos;s retention policy; times, hashes, tokens and cost are kept.</p>
      ) : event.redacted?.length ? (
        <p className="text-[11px] text-amber-800">
          Redacted before storage: <span className="font-mono">{event.redacted.join(", ")}</span>
        </p>
      ) : null}
      <JsonView value={payload} />
    </section>
  );
}

/** What Gatehouse itself saw of a gateway call: the upstream's status, latency, hashes and side effects. */
function AttestedCall({ event }: { event: TimelineEvent }) {
  const text = (v: unknown) => (v === null || v === undefined ? "—" : String(v));
  const effects = gatewaySideEffects(event);
  return (
    <div className="space-y-1 rounded-md bg-emerald-50/60 p-2 ring-1 ring-inset ring-emerald-200" data-testid="attested-call">
      <AttestedMark />
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-[11px] text-slate-700">
        <dt>call</dt>
        <dd className="break-all font-mono">
          {text(event.method)} {text(event.url)}
        </dd>
        {event.type === "gateway.result" ? (
          <>
            <dt>upstream status</dt>
            <dd className="font-mono" data-testid="upstream-status">
              {event.status === null || event.status === undefined ? "no answer" : `HTTP ${text(event.status)}`}
              {event.error ? ` · ${text(event.error)}` : ""}
            </dd>
            <dt>latency</dt>
            <dd className="font-mono">{typeof event.latency_ms === "number" ? formatElapsed(event.latency_ms) : "—"}</dd>
            <dt>response sha-256</dt>
            <dd className="break-all font-mono">{text(event.response_sha256)}</dd>
          </>
        ) : null}
        <dt>request sha-256</dt>
        <dd className="break-all font-mono">{text(event.request_sha256)}</dd>
        {effects.map((s, i) => (
          <SideEffectRow key={i} effect={s} />
        ))}
      </dl>
    </div>
  );
}

function SideEffectRow({ effect }: { effect: { system?: string; object_type?: string; object_id?: string; url?: string } }) {
  return (
    <>
      <dt>side effect</dt>
      <dd className="break-all">
        {effect.system} {effect.object_type} <span className="font-mono">{effect.object_id}</span>
        {effect.url ? <span className="block font-mono text-slate-500">{effect.url}</span> : null}
      </dd>
    </>
  );
}
