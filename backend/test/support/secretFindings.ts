/**
 * What in a repository's file looks like a real secret (issue 18: no secret in the repository):
 * private keys, tokens in the formats that services issue, passwords in URLs, random-looking
 * values given to a credential's name, and files that hold keys or environments. Tuned to stay
 * quiet about placeholders ("blackout-lab-operator-token"), references (`${CONTROL_TOKEN}`,
 * `config.CONTROL_TOKEN`) and checksums, which a credential's name never holds.
 */

/** The names of settings that hold a credential: environment variables, YAML and JSON keys. */
export const CREDENTIAL_NAME = /token|secret|passw(?:or)?d|api[_-]?key|credential/i;

const FORMATS: readonly (readonly [RegExp, string])[] = [
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, "a private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_\w{22,}/, "a GitHub token"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\bAIza[\w-]{35}\b/, "a Google API key"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\bglsa_[A-Za-z0-9]{32}_[0-9a-f]{8}\b/, "a Grafana service account token"],
  [/\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/, "a JSON Web Token"],
  // user:password@host, unless the password is a reference (${PASSWORD}, $PASSWORD, <password>).
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"`]+:[^\s/@'"`$<]+@/i, "a password in a URL"],
];

/** A credential's name given a literal value: `CONTROL_TOKEN=…`, `token: "…"`, `password = '…'`. */
const ASSIGNMENT = new RegExp(
  `([\\w-]*(?:${CREDENTIAL_NAME.source})[\\w-]*)["']?\\s*[:=]\\s*["'\`]?([\\w+/=.~-]{16,})(?=["'\`\\s,;)}]|$)`,
  "gi",
);

const SECRET_FILES: readonly (readonly [RegExp, string])[] = [
  [/(^|\/)\.env(\.(?!example$)[^/]*)?$/, "an environment file"],
  [/\.(pem|key|p12|pfx|jks|keystore)$/, "a key or certificate store"],
  [/(^|\/)id_(rsa|dsa|ecdsa|ed25519)$/, "an SSH private key"],
];

/**
 * A value that a person would not type: letters and digits mixed, not an identifier path
 * (`process.env.TOKEN_2`), and varied enough (Shannon entropy of 3 bits a character or more).
 */
function randomLooking(value: string): boolean {
  if (!/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(value)) return false;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy >= 3;
}

/**
 * The findings in one file, each `path:line: what`; `deliberate` are values written on purpose
 * (tests' tokens), never reported.
 */
export function secretFindings(
  path: string,
  text: string,
  deliberate: ReadonlySet<string>,
): string[] {
  const findings = SECRET_FILES.filter(([pattern]) => pattern.test(path)).map(
    ([, what]) => `${path}: ${what}`,
  );
  text.split("\n").forEach((line, index) => {
    const where = `${path}:${index + 1}`;
    for (const [pattern, what] of FORMATS) {
      if (pattern.test(line)) findings.push(`${where}: ${what}`);
    }
    for (const [, name = "", value = ""] of line.matchAll(ASSIGNMENT)) {
      if (randomLooking(value) && !deliberate.has(value)) {
        findings.push(`${where}: ${name} is given a value that looks real`);
      }
    }
  });
  return findings;
}
