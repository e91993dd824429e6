import { NextResponse, type NextRequest } from "next/server";
import { refuseMalformedEscapes } from "@/lib/http/malformed-escapes";

/** Runs before Next.js matches routes: the one place to answer paths it cannot decode. */
export function proxy(request: NextRequest) {
  return refuseMalformedEscapes(request) ?? NextResponse.next();
}
