/**
 * Where to go after sign-in: only a path on this origin. The value is parsed the way a
 * browser would (the WHATWG URL parser: backslashes act as slashes, tabs and newlines are
 * dropped), so `/\evil.example` or `/%09/evil.example` as the browser reads them never
 * leave the site. Anything else becomes "/".
 */
const BASE = "http://gatehouse.invalid";

export function safeCallbackPath(raw: string | undefined | null): string {
  if (!raw) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path starting with two slashes (or a slash and a backslash) would be read as another host.
  return /^\/[/\\]/.test(path) ? "/" : path;
}
