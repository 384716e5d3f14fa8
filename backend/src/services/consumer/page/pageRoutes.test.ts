import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../../../lib/httpApp.ts";
import type { RunningServer } from "../../../lib/httpApp.ts";
import { createLogger } from "../../../lib/logger.ts";
import { bundlePageScript } from "./bundlePageScript.ts";
import { PAGE_CONFIG_ID, parsePageConfig } from "./pageHtml.ts";
import { createPageRoutes } from "./pageRoutes.ts";

const config = {
  pollMs: 400,
  stallMs: 1300,
  consumerId: "consumer-3",
  controlUrl: "http://127.0.0.1:8081",
};

/** A GET through node:http: unlike fetch, it sends exactly the headers given (no cache headers). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      request(url, { headers }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      })
        .on("error", reject)
        .end();
    },
  );
}

describe("createPageRoutes", () => {
  let server: RunningServer;

  beforeAll(async () => {
    const app = createHttpApp({ logger: createLogger({ name: "page", level: "silent" }) });
    const router = await createPageRoutes(config);
    app.use(router.routes());
    app.use(router.allowedMethods());
    server = await listen(app, "127.0.0.1", 0);
  });

  afterAll(async () => {
    await server.close();
  });

  it("serves the page with its config and a script URL relative to the page", async () => {
    const page = await get(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.body).toMatch(/<script type="module" src="app\.js\?v=[0-9a-f]{16}"><\/script>/);
    const configText = new RegExp(`id="${PAGE_CONFIG_ID}">(.*?)</script>`).exec(page.body)?.[1];
    expect(parsePageConfig(configText ?? "")).toEqual(config);
  });

  it("serves one bundle holding the page and the ledger, named by its content hash", async () => {
    const page = await get(`${server.url}/`);
    const scriptUrl = /src="(app\.js\?v=([0-9a-f]+))"/.exec(page.body);
    const script = await get(`${server.url}/${scriptUrl?.[1] ?? ""}`);
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    expect(script.headers["x-content-type-options"]).toBe("nosniff");
    expect(script.headers["etag"]).toBe(`"${scriptUrl?.[2]}"`);
    // The ledger's event names and the page's own API path, in one self-contained module.
    expect(script.body).toContain("stall-start");
    expect(script.body).toContain("records answer: consumer must be a string");
    expect(script.body).toContain("api/records");
    expect(script.body).not.toMatch(/(^|[;}])\s*import\s*[{*"'\w]/);

    const again = await get(`${server.url}/app.js`, { "if-none-match": `"${scriptUrl?.[2]}"` });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  });

  it("answers 404 for anything else", async () => {
    const missing = await get(`${server.url}/page.js`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: "no such endpoint: GET /page.js" });
  });

  it("fails at once when the page does not bundle", async () => {
    const entry = join(import.meta.dirname, "noSuchEntry.ts");
    await expect(bundlePageScript(entry)).rejects.toThrow(
      `client page: bundling ${entry} failed: Build failed with 1 error`,
    );
  });
});
