"use client";

import { useQuery, useQueryClient, type DefinedUseQueryResult } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { consoleApi } from "@/components/api";
import { draftChanges } from "./draft-diff";
import type { PolicyState } from "./types";

/**
 * A query seeded with what the server component read (`initial`, as of `now`). On a full
 * load that is the data; after a client-side navigation the cache may hold an older copy
 * from another Policies page, so the server's fresher one replaces it once mounted (as
 * TanStack's HydrationBoundary does for existing queries). `queryFn` is a `consoleApi` GET:
 * its route's answer is the data's type, and `initial` must match it.
 */
export function useSeededQuery<T extends object>(queryKey: readonly unknown[], queryFn: () => Promise<T>, initial: NoInfer<T>, now: number): DefinedUseQueryResult<T, Error> {
  const client = useQueryClient();
  const keyHash = JSON.stringify(queryKey);
  useEffect(() => {
    const key = JSON.parse(keyHash) as unknown[];
    const state = client.getQueryState(key);
    if (state && state.dataUpdatedAt < now) client.setQueryData(key, initial, { updatedAt: now });
  }, [client, keyHash, initial, now]);
  // initialData is always there, so data is never undefined (TypeScript cannot pick that overload for a generic T).
  return useQuery({ queryKey, queryFn, initialData: initial, initialDataUpdatedAt: now }) as DefinedUseQueryResult<T, Error>;
}

/** GET …/policy, with the draft's changes recomputed on the client (see draft-diff.ts). */
export function usePolicyState(slug: string, initial: PolicyState, now: number): PolicyState {
  const { data } = useSeededQuery(["policy", slug], () => consoleApi("GET", "/t/[tenant]/policy", { params: { tenant: slug } }), initial, now);
  return useMemo(() => ({ ...data, changes: draftChanges(data.published?.rules ?? [], data.draft) }), [data]);
}
