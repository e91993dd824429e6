-- Tokens issued before an agent's suspension stay dead after reactivation (lib/agents/authenticate-agent.ts).
ALTER TABLE "agents" ADD COLUMN "tokensValidAfter" TIMESTAMP(3);
