import { describe, expect, it } from "vitest";
import { createAgentInput, updateAgentInput } from "./schemas";

describe("agent schemas", () => {
  it("fills defaults when creating", () => {
    expect(createAgentInput.parse({ name: "bot", ownerId: "u1" })).toMatchObject({ description: "", labels: [], environment: "production", tokenTtlMinutes: 15 });
  });
  it("keeps a partial update partial, so unsent fields are not reset", () => {
    expect(updateAgentInput.parse({ tokenTtlMinutes: 10 })).toEqual({ tokenTtlMinutes: 10 });
  });
  it("caps token lifetime at 60 minutes and refuses odd names", () => {
    expect(createAgentInput.safeParse({ name: "bot", ownerId: "u1", tokenTtlMinutes: 61 }).success).toBe(false);
    expect(createAgentInput.safeParse({ name: "Bot With Spaces", ownerId: "u1" }).success).toBe(false);
  });
});
