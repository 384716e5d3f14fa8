import { config } from "zod";

// Imported first, before any schema of the contract is built: zod compiles object parsers with
// `new Function` where it may, and its probe for that is a violation of the dashboard's
// Content-Security-Policy (no 'unsafe-eval'), reported although zod catches it. Without the
// compiled fast path a parse is a little slower, which the dashboard's few answers never notice.
config({ jitless: true });
