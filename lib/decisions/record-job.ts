import { z } from "zod";
import { gatewayEventJob } from "@/lib/gateway/schemas";
import { decisionRecord } from "./schemas";

/**
 * Records of one tenant that the API answered close together (lib/decisions/record-queue.ts),
 * with the gateway's records of the calls they allowed (queued before any call is sent) or
 * of a call's result.
 */
export const decisionRecordsJob = z
  .object({ tenantId: z.string(), records: z.array(decisionRecord), gatewayEvents: z.array(gatewayEventJob).default([]) })
  .refine((job) => job.records.length + job.gatewayEvents.length > 0, "a job records something")
  .refine((job) => [...job.records, ...job.gatewayEvents].every((r) => r.tenantId === job.tenantId), "every record must be of the job's tenant");
export type DecisionRecordsJob = z.infer<typeof decisionRecordsJob>;
