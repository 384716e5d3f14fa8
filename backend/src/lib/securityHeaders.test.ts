import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inlineSources, securityHeaders } from "./securityHeaders.ts";

describe("securityHeaders", () => {
  it("writes the policy, always with frame denial, and forbids sniffing and the referrer", () => {
    expect(
      securityHeaders({ "default-src": ["'none'"], "connect-src": ["'self'", "http://x:1"] }),
    ).toEqual({
      "Content-Security-Policy":
        "default-src 'none'; connect-src 'self' http://x:1; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
    });
  });

  it("does not let a policy open framing", () => {
    const policy = securityHeaders({ "frame-ancestors": ["*"] })["Content-Security-Policy"];
    expect(policy).toBe("frame-ancestors 'none'");
  });
});

describe("inlineSources", () => {
  const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

  it("hashes each inline element of the tag asked for, exactly as written", () => {
    const html =
      "<style>\nbody { margin: 0 }\n</style><script>one()</script>" +
      '<script src="app.js"></script><script>\ntwo();\n</script>';
    expect(inlineSources(html, "script")).toEqual([sha("one()"), sha("\ntwo();\n")]);
    expect(inlineSources(html, "style")).toEqual([sha("\nbody { margin: 0 }\n")]);
    expect(inlineSources("<p>none</p>", "script")).toEqual([]);
  });
});
