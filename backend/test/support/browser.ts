import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (package `chromium`), driven by playwright-core: no browser download. */
export const CHROMIUM = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    chromiumSandbox: false,
    // Without these Chromium keeps dialling Google's hosts, which this machine refuses.
    args: [
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
