import { handleMcp } from "@/lib/mcp/handle-mcp";
import { errorResponse, requestIdFrom } from "@/lib/http/respond";
import { AppError } from "@/lib/http/errors";

export async function POST(request: Request) {
  try {
    return await handleMcp(request);
  } catch (error) {
    return errorResponse(error, requestIdFrom(request));
  }
}

/** Stateless server: no server-to-client stream and no session to end (the transport allows 405 for both). */
const notAllowed = (request: Request) =>
  Promise.resolve(errorResponse(new AppError("method_not_allowed", "This MCP server is stateless: POST JSON-RPC messages; there is no event stream or session."), requestIdFrom(request)));
export const GET = notAllowed;
export const DELETE = notAllowed;
