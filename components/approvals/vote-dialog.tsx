"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Button } from "@/components/ui/button";
import { FormError, inputClass } from "@/components/ui/field";
import { approvalsKey } from "./queries";

export type Verdict = "approve" | "deny";

/** What the dialog restates about the request, so nobody approves blind. */
export type VoteTarget = {
  id: string;
  agentName: string;
  tool: string;
  operation: string;
  resource: { type?: string; id?: string } | null;
  summary: string;
  approvals: number;
  requiredApprovals: number;
  /** Required approver groups that have not signed yet. */
  missingGroups?: string[];
};

export type VoteResult = ConsoleAnswer<"POST", "/t/[tenant]/approvals/[approvalId]/vote">;

/** A sentence for what a vote did. */
export function voteOutcome(verdict: Verdict, r: VoteResult): string {
  if (verdict === "deny") return "Denied: the agent's request is refused.";
  if (r.status === "approved") return `Approved (${r.approvals} of ${r.required}): released; the agent may run it once.`;
  if (r.approvals >= r.required && r.missingGroups?.length) return `Approved (${r.approvals} of ${r.required}): it stays pending until ${r.missingGroups.join(" and ")} ${r.missingGroups.length === 1 ? "signs" : "sign"}.`;
  return `Approved (${r.approvals} of ${r.required}): it stays pending until ${r.required - r.approvals} more ${r.required - r.approvals === 1 ? "approver approves" : "approvers approve"}${r.missingGroups?.length ? ` and ${r.missingGroups.join(" and ")} ${r.missingGroups.length === 1 ? "signs" : "sign"}` : ""}.`;
}

/**
 * Approve or deny one request, with an optional comment: a modal on the native <dialog>
 * (focus trap, Escape cancels). The comment field has focus, so a stray keystroke never
 * decides; Ctrl/⌘+Enter or the button submits.
 */
export function VoteDialog({
  slug,
  target,
  verdict,
  onClose,
  onVoted,
}: {
  slug: string;
  target: VoteTarget | null;
  verdict: Verdict;
  onClose: () => void;
  onVoted: (result: VoteResult, verdict: Verdict) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const commentId = useId();
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const [comment, setComment] = useState("");
  const queryClient = useQueryClient();
  const open = target !== null;

  const vote = useMutation({
    mutationFn: (v: { id: string; verdict: Verdict; comment: string }) =>
      consoleApi("POST", "/t/[tenant]/approvals/[approvalId]/vote", {
        params: { tenant: slug, approvalId: v.id },
        body: { verdict: v.verdict, ...(v.comment ? { comment: v.comment } : {}) },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: approvalsKey(slug) }),
  });
  const { reset } = vote;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setComment("");
      reset();
      dialog.showModal();
      commentRef.current?.focus();
    } else if (!open && dialog.open) dialog.close();
  }, [open, reset]);

  async function submit() {
    if (!target || vote.isPending) return;
    try {
      const result = await vote.mutateAsync({ id: target.id, verdict, comment: comment.trim() });
      onVoted(result, verdict);
      onClose();
    } catch {
      // Shown in the dialog (vote.error); the dialog stays open.
    }
  }

  const approving = verdict === "approve";
  const after = target ? target.approvals + 1 : 0;
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={titleId} className="m-auto w-full max-w-lg rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40">
      {target ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="space-y-3 p-5">
            <h2 id={titleId} className="text-base font-semibold text-slate-900">
              {approving ? "Approve this request?" : "Deny this request?"}
            </h2>
            <dl className="space-y-1 rounded-md bg-slate-50 px-3 py-2 text-sm ring-1 ring-inset ring-slate-200">
              <div className="flex gap-2">
                <dt className="w-20 shrink-0 text-slate-500">Agent</dt>
                <dd className="font-mono text-slate-900">{target.agentName}</dd>
              </div>
              <div className="flex gap-2">
                <dt className="w-20 shrink-0 text-slate-500">Action</dt>
                <dd className="font-mono text-slate-900">
                  {target.tool} · {target.operation}
                  {target.resource?.id ? <span className="text-slate-500"> on {target.resource.type ? `${target.resource.type} ` : ""}{target.resource.id}</span> : null}
                </dd>
              </div>
              {target.summary ? (
                <div className="flex gap-2">
                  <dt className="w-20 shrink-0 text-slate-500">Arguments</dt>
                  <dd className="min-w-0 break-all font-mono text-xs text-slate-800">{target.summary}</dd>
                </div>
              ) : null}
            </dl>
            <p className="text-sm text-slate-600">
              {approving && target.missingGroups?.length
                ? `Yours is approval ${after} of ${target.requiredApprovals}. Still to sign: ${target.missingGroups.join(" and ")}; the request is released once the count is met and every group has its own approver (a person in several groups signs for one).`
                : approving
                ? after >= target.requiredApprovals
                  ? `Yours is approval ${after} of ${target.requiredApprovals}: the request is released and the agent may run exactly this action, once.`
                  : `Yours is approval ${after} of ${target.requiredApprovals}: the request stays pending until another approver approves.`
                : "A deny decides at once: the agent's request is refused."}{" "}
              Your vote and comment go to the audit log.
            </p>
            <div className="space-y-1">
              <label htmlFor={commentId} className="block text-xs font-medium text-slate-700">
                Comment (optional)
              </label>
              <textarea
                id={commentId}
                ref={commentRef}
                rows={3}
                maxLength={2000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    void submit();
                  }
                }}
                placeholder={approving ? "e.g. Matches ticket #88421" : "e.g. Amount does not match the ticket"}
                className={inputClass}
              />
              <p className="text-xs text-slate-500">Ctrl/⌘ + Enter to {verdict}.</p>
            </div>
            <FormError message={vote.error ? (vote.error as Error).message : null} />
          </div>
          <div className="flex justify-end gap-2 rounded-b-lg bg-slate-50 px-5 py-3">
            <Button variant="secondary" onClick={onClose} disabled={vote.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant={approving ? "primary" : "danger"} disabled={vote.isPending}>
              {vote.isPending ? "Working…" : approving ? "Approve" : "Deny"}
            </Button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
