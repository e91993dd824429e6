/**
 * 2026-07-28's `subscriptions/listen`: a request whose answer is a long-lived SSE stream on
 * which the server sends the change notifications the client asked for. Gatehouse honours
 * `toolsListChanged`: an agent's tools/list changes when its tenant publishes a policy or
 * edits its registry or tool kill switches, or the agent's own labels change. Each of those is
 * heard at once on the invalidation channel; the list is then compared with what the
 * stream last saw, so only a real change is announced. A check every 30 s covers a missed
 * message (the channel dropping and returning).
 *
 * Each check authenticates the stream's token again: a stream ends (gracefully, with its
 * result) once the agent is suspended or decommissioned, its credential revoked, its tenant
 * stopped by a kill switch (each heard at once), or its token expired (at the next check).
 */
import { authState } from "@/lib/agents/auth-state";
import { authenticateAgent, type AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { toolsListResult } from "./list-mcp-tools";
import { META, SERVER_INFO } from "./revisions";

const CHECK_EVERY_MS = 30_000;
/** An SSE comment now and then, so proxies and clients do not close a quiet stream as idle. */
const KEEPALIVE_EVERY_MS = 15_000;
/** Open streams per agent and process: each holds a socket and two timers. */
export const MAX_LISTENERS_PER_AGENT = 10;
/** And per process, whoever opens them: many agents of many tenants must not exhaust one process. */
const MAX_LISTENERS = 5_000;

type Listener = { tenantId: string; agentId: string; check: () => void; end: () => void };
const listeners = new Set<Listener>();
const openPerAgent = new Map<string, number>();
let subscribed = false;

function hearChanges() {
  if (subscribed) return;
  subscribed = true;
  authState.onInvalidation((message) => {
    for (const l of listeners) {
      const concerned = message.kind === "reset" || ((message.kind === "policy" || message.kind === "tenant") && message.id === l.tenantId) || (message.kind === "agent" && message.id === l.agentId);
      // After this tick: the caches the listing is read from hear the same message and drop their entry first.
      if (concerned) setImmediate(l.check);
    }
  });
}

/** What the client may ask for; Gatehouse has tools only, so it honours toolsListChanged alone. */
export function honouredFilter(asked: unknown): { toolsListChanged?: true } {
  return typeof asked === "object" && asked !== null && (asked as { toolsListChanged?: unknown }).toolsListChanged === true ? { toolsListChanged: true } : {};
}

/**
 * Ends every open stream gracefully, with the listen request's result (what 2026-07-28 sends
 * when the server tears a subscription down): a stopping process would otherwise wait for
 * its clients to hang up. Clients listen again, on a process that is not stopping.
 */
export function endListenStreams() {
  for (const listener of [...listeners]) listener.end();
}

/** How many streams the agent has open in this process. */
export const listenersOpen = (agentId: string) => openPerAgent.get(agentId) ?? 0;

/** Whether the agent may open another stream in this process. */
export const mayListen = (agentId: string) => listenersOpen(agentId) < MAX_LISTENERS_PER_AGENT && listeners.size < MAX_LISTENERS;

/**
 * The listen stream for request `id`: the acknowledgement (with what is honoured), then a
 * `notifications/tools/list_changed` whenever the agent's list changes, until the client
 * closes the stream. Every message names the subscription (the request's id) in `_meta`.
 */
export function listenStream(id: string | number, authorization: string | null, agent: AgentPrincipal, filter: { toolsListChanged?: true }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const meta = { [META.subscriptionId]: id };
  let listener: Listener | undefined;
  let timers: ReturnType<typeof setInterval>[] = [];
  const stop = () => {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    if (listener && listeners.delete(listener)) {
      const open = (openPerAgent.get(agent.agentId) ?? 1) - 1;
      if (open > 0) openPerAgent.set(agent.agentId, open);
      else openPerAgent.delete(agent.agentId);
    }
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the client went away
        }
      };
      const message = (msg: unknown) => send(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
      const end = () => {
        stop();
        message({ jsonrpc: "2.0", id, result: { resultType: "complete", _meta: { ...meta, [META.serverInfo]: SERVER_INFO } } });
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      if (!filter.toolsListChanged) {
        // Nothing asked for that Gatehouse could send: acknowledged, then ended at once, gracefully.
        message({ jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: { notifications: filter, _meta: meta } });
        end();
        return;
      }
      let seen: Buffer | undefined;
      let checking = false;
      let again = false;
      const check = async (): Promise<void> => {
        // A change heard during a check may not be in what that check read: check once more after it.
        if (checking) return void (again = true);
        checking = true;
        try {
          let current: AgentPrincipal;
          try {
            current = await authenticateAgent(authorization);
          } catch {
            return end(); // the token no longer admits the agent; a new listen needs a good one
          }
          // The agent as it is now: its labels (which group rules match) may have changed since the stream opened.
          const now = (await toolsListResult(current)).json;
          if (seen && !now.equals(seen)) message({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: meta } });
          seen = now;
        } catch {
          // The list could not be read (Postgres away): the next message or check tries again.
        } finally {
          checking = false;
        }
        if (again) {
          again = false;
          return check();
        }
      };
      // Counted before the first await, so concurrent listens cannot pass the cap together.
      hearChanges();
      listener = { tenantId: agent.tenantId, agentId: agent.agentId, check: () => void check(), end };
      listeners.add(listener);
      openPerAgent.set(agent.agentId, (openPerAgent.get(agent.agentId) ?? 0) + 1);
      // Unref'd: an open stream must not keep a stopping process alive (its socket is closed then, which stops these).
      timers = [setInterval(() => void check(), CHECK_EVERY_MS).unref(), setInterval(() => send(": keep-alive\n\n"), KEEPALIVE_EVERY_MS).unref()];
      await check(); // the list as it is now: what a change is measured against
      message({ jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: { notifications: filter, _meta: meta } });
    },
    cancel: stop,
  });
}
