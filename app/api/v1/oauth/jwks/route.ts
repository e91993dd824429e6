import { publicJwks } from "@/lib/agents/signing-keys";
import { publicRoute, reply } from "@/lib/http/route";

export const GET = publicRoute({}, async () => reply(await publicJwks(), { status: 200, headers: { "cache-control": "public, max-age=60" } }));
