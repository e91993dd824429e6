// Any /api/v1 path no route claims: the API's 404, never an HTML page.
import { AppError } from "@/lib/errors";
import { publicRoute } from "@/lib/http/route";

const unknownRoute = publicRoute({}, async ({ request }) => {
  throw new AppError("not_found", `No API route ${request.method} ${new URL(request.url).pathname}.`);
});

export { unknownRoute as GET, unknownRoute as POST, unknownRoute as PUT, unknownRoute as PATCH, unknownRoute as DELETE };
