/** An engaged kill switch (lib/kill-switches/engage-kill-switch.ts listActiveKillSwitches). */
export type ActiveKillSwitch = {
  id: string;
  scope: "tenant" | "tool" | "agent";
  target: string | null;
  reason: string;
  createdAt: string;
  createdBy: string;
};

export type ToolOption = { name: string; displayName: string };
