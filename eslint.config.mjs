// Lint, with the import boundaries of DESIGN.md at error level:
// components/ never imports app/ or server-only modules; workers/ never imports app/;
// lib/ never imports app/ or components/.
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const SERVER_ONLY = [
  { group: ["@/lib/db/*", "@/lib/db", "**/lib/db/**"], message: "Client code must not import the database layer." },
  { group: ["@/lib/queue/*", "@/lib/redis", "@/workers/*"], message: "Client code must not import queues, Redis or workers." },
  { group: ["@/lib/*/*-*", "!@/lib/*/schemas"], message: "Client code must not import lib services; call an API route." },
  { group: ["pg", "ioredis", "bullmq", "@prisma/*", "node:*"], message: "Client code must not import server libraries." },
  { group: ["@/app/*", "**/app/**"], message: "components/ must not import app/." },
];

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", ".next-*/**", ".data/**", "lib/db/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
    },
  },
  {
    files: ["components/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: SERVER_ONLY }],
      // Console URLs come from the typed client (components/api.ts: consoleApi, consoleUrl), never by hand.
      "no-restricted-syntax": [
        "error",
        { selector: "Literal[value=/^\\/api\\/console/]", message: "Call consoleApi(method, path, …) or consoleUrl(path, params) from components/api.ts." },
        { selector: "TemplateElement[value.raw=/^\\/api\\/console/]", message: "Call consoleApi(method, path, …) or consoleUrl(path, params) from components/api.ts." },
      ],
    },
  },
  {
    files: ["workers/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["@/app/*", "**/app/**"], message: "workers/ must not import app/." }, { group: ["@/components/*"], message: "workers/ must not import UI." }] }] },
  },
  {
    files: ["lib/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["@/app/*", "**/app/**"], message: "lib/ must not import app/." }, { group: ["@/components/*"], message: "lib/ must not import UI." }] }] },
  },
);
