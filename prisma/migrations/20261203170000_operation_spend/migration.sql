-- Gateway spend (issue 16): where an operation's cost in USD is read from what the gateway
-- saw (an argument or a response field), settled against spend limits.
ALTER TABLE "tool_operations" ADD COLUMN "spendField" JSONB;
