import { handleMcp } from "@/lib/http/mcp-transport";
import { answered, errorResponse, isLean, requestIdFrom } from "@/lib/http/respond";

/**
 * Only POST: a stateless server has no event stream to GET and no session to DELETE, and the
 * transport lets it answer 405 to both (Next.js does for a method a route does not export; so does the lean server).
 */
export async function POST(request: Request) {
  try {
    return answered(request, await handleMcp(request));
  } catch (error) {
    return answered(request, errorResponse(error, requestIdFrom(request), isLean(request)));
  }
}
