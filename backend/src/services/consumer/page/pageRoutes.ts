import { createHash } from "node:crypto";
import { join } from "node:path";
import Router from "@koa/router";
import type { Context } from "koa";
import { securityHeaders, type ContentSecurityPolicy } from "../../../lib/securityHeaders.ts";
import { bundlePageScript } from "./bundlePageScript.ts";
import { renderPageHtml } from "./pageHtml.ts";
import type { PageConfig } from "./pageHtml.ts";

export type PageRoutesOptions = PageConfig;

/** The browser entry; everything it imports (the ledger included) is bundled with it. */
const PAGE_ENTRY = join(import.meta.dirname, "pageApp.ts");

/**
 * Nothing but this origin's own script and API (and control, which the page reports to); the
 * config is a JSON data block, not a script. Inline styles are allowed: the page carries its few
 * rules in its head.
 */
const contentSecurityPolicy = (controlUrl: string | null): ContentSecurityPolicy => ({
  "default-src": ["'none'"],
  "script-src": ["'self'"],
  "connect-src": ["'self'", ...(controlUrl === null ? [] : [new URL(controlUrl).origin])],
  "style-src": ["'unsafe-inline'"],
  "img-src": ["'self'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
});

/**
 * The client page on a consumer: `GET /` (HTML) and `GET /app.js` (the bundled script). The script
 * is bundled once, here, so that a page that does not bundle stops the service at start rather
 * than at the first visitor. The script's URL carries a hash of its content, so a browser never
 * runs a stale one after an upgrade; both answers are revalidated (no-cache) all the same.
 */
export async function createPageRoutes(options: PageRoutesOptions): Promise<Router> {
  const script = await bundlePageScript(PAGE_ENTRY);
  const scriptHash = createHash("sha256").update(script).digest("hex").slice(0, 16);
  // Relative URLs: the page works through the gateway and on a consumer directly.
  const html = renderPageHtml(
    {
      pollMs: options.pollMs,
      stallMs: options.stallMs,
      consumerId: options.consumerId,
      controlUrl: options.controlUrl,
    },
    `app.js?v=${scriptHash}`,
  );
  const headers = securityHeaders(contentSecurityPolicy(options.controlUrl));

  const router = new Router();
  router.get("/", (ctx) => {
    send(ctx, headers, "text/html; charset=utf-8", html);
  });
  router.get("/app.js", (ctx) => {
    ctx.etag = scriptHash;
    send(ctx, headers, "application/javascript; charset=utf-8", script);
  });
  return router;
}

function send(ctx: Context, headers: Record<string, string>, type: string, body: string): void {
  ctx.set(headers);
  ctx.set("Cache-Control", "no-cache");
  ctx.type = type;
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = body;
}
