import { openApiDocument } from "@/lib/api/contract";
import { publicRoute } from "@/lib/http/route";

export const GET = publicRoute({}, async () => openApiDocument());
