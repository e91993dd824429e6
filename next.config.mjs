/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only libraries with native or dynamic requires stay outside the bundle.
  serverExternalPackages: ["pg", "bullmq", "ioredis", "@prisma/adapter-pg", "@cedar-policy/cedar-wasm"],
  // Separate build dirs let the e2e suite build without disturbing a running `npm run up`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // OAuth discovery for MCP clients lives at /.well-known/… (RFC 8414, RFC 9728), which the App Router cannot route.
  async rewrites() {
    return [
      { source: "/.well-known/oauth-protected-resource", destination: "/api/well-known/oauth-protected-resource" },
      { source: "/.well-known/oauth-protected-resource/api/v1/mcp", destination: "/api/well-known/oauth-protected-resource" },
      { source: "/.well-known/oauth-authorization-server", destination: "/api/well-known/oauth-authorization-server" },
    ];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};
export default nextConfig;
