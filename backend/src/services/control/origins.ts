import { isLoopback } from "./controlConfig.ts";

/**
 * Whether a browser's `Origin` is control's own: the dashboard, which control serves, is the one
 * page that may call it freely. `host` is the request's Host header, which names control as the
 * browser reached it (directly, through a port-forward, or through the Vite dev server's proxy).
 */
export function isOwnOrigin(origin: string, host: string): boolean {
  return urlOf(origin)?.host === host.toLowerCase();
}

/**
 * Whether a browser's `Origin` is a client page's, which reports its ledger to control from the
 * consumers' origin: a page on this machine (the lab's gateway and consumers listen on loopback,
 * and compose and the kind overlay publish them there), or one listed in PAGE_ORIGINS.
 */
export function isPageOrigin(origin: string, pageOrigins: readonly string[]): boolean {
  if (pageOrigins.includes(origin)) return true;
  const url = urlOf(origin);
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
  return isLoopback(url.hostname.replace(/^\[(.*)\]$/, "$1"));
}

/** `null` (a sandboxed or file page) and anything else that is not a URL: no origin to trust. */
function urlOf(origin: string): URL | undefined {
  try {
    return new URL(origin);
  } catch {
    return undefined;
  }
}
