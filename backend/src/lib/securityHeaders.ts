import { createHash } from "node:crypto";

/** A Content-Security-Policy as directives and their sources: `{"script-src": ["'self'"]}`. */
export type ContentSecurityPolicy = Readonly<Record<string, readonly string[]>>;

/**
 * The headers a Blackout page (and every answer of the service serving it) carries: its
 * Content-Security-Policy, no MIME sniffing, and no framing (X-Frame-Options for browsers that
 * predate `frame-ancestors`, which is added to the policy), and no Referer sent to the sites it
 * links to (Grafana, the trace UI): nothing there needs to know which lab page the user came from.
 */
export function securityHeaders(policy: ContentSecurityPolicy): Record<string, string> {
  const directives = { ...policy, "frame-ancestors": ["'none'"] };
  return {
    "Content-Security-Policy": Object.entries(directives)
      .map(([name, sources]) => [name, ...sources].join(" "))
      .join("; "),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
  };
}

/**
 * The `'sha256-…'` source of each inline `<script>` or `<style>` element (without attributes) of
 * a page: a page that carries its own small script or styles allows exactly those, nothing else.
 */
export function inlineSources(html: string, tag: "script" | "style"): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map(
    ([, content = ""]) => `'sha256-${createHash("sha256").update(content).digest("base64")}'`,
  );
}
