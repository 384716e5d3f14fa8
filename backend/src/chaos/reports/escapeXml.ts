/**
 * Text for XML and SVG, in element content and in double-quoted attributes alike. Characters XML
 * 1.0 cannot carry at all (most C0 controls, e.g. ANSI escapes in an error message) become U+FFFD,
 * so that a stray byte from a log line never makes a whole junit.xml unreadable.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "\ufffd");
}
