// Types for scripts/verify-evidence.mjs (a dependency-free script; tests import it).
import type { KeyObject } from "node:crypto";

export const GENESIS_HASH: string;
export function canonicalJson(value: unknown): string;
export function canonicalParsed(value: unknown): string;
export function sha256Hex(text: string): string;
export function chainStep(head: string, item: string): string;
export function entryHash(entry: Record<string, unknown>): string;
export function eventLeaf(row: Record<string, unknown>): Record<string, unknown>;
export function decisionLeaf(row: Record<string, unknown>): Record<string, unknown>;
export function payloadHash(row: { payload: unknown; redacted: unknown }): string;
export function leafText(leaf: Record<string, unknown>): string;
export function inScope(scope: { from: string; to: string; agentIds: string[]; runIds: string[] }, item: { at: string; agent: string; run: string }): boolean;
export function keyIdOf(publicKey: KeyObject): string;
export type VerifyResult = {
  ok: boolean;
  problem?: string;
  steps: string[];
  warnings: string[];
  summary: Record<string, unknown> & { chain?: { sealedEvents: number; sealedDecisions: number; unsealedEvents: number; unchainedDecisions: number; purged: number; digests: number } };
};
export function verifyBundle(bundle: string, options?: { publicKey?: { text: string; source: string }; sha256?: string }): Promise<VerifyResult>;
