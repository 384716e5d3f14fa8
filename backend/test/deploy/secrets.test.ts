import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { secretFindings } from "../support/secretFindings.ts";

const repo = resolve(import.meta.dirname, "../../..");

/**
 * Tokens the tests use on purpose, against control and the CLI on 127.0.0.1 only. Any other
 * value that looks real fails the scan below.
 */
const DELIBERATE = new Set([
  "operator-token-0123456789",
  "wrong-operator-token-0123",
  "dashboard-e2e-operator-token",
]);

/** The files git tracks, the ones a clone gets (ignored files such as .env stay out of it). */
function trackedFiles(): string[] {
  const listing = execFileSync("git", ["ls-files", "-z"], { cwd: repo, encoding: "utf8" });
  return listing.split("\0").filter((path) => path !== "");
}

describe("no secret in the repository", () => {
  it("tracks no file with a private key, a token or a password that looks real", () => {
    const files = trackedFiles();
    expect(files).toContain("docker-compose.yml");
    const findings = files.flatMap((path) => {
      const file = join(repo, path);
      // A tracked file deleted in the work tree is no longer in what would be committed.
      if (!existsSync(file)) return [];
      const content = readFileSync(file);
      // Binary files (images) hold no text to leak a secret in.
      if (content.includes(0)) return [];
      return secretFindings(path, content.toString("utf8"), DELIBERATE);
    });
    expect(findings).toEqual([]);
  });
});

describe("secretFindings", () => {
  const none = new Set<string>();
  const hex = randomBytes(24).toString("hex");

  it("finds private keys, issued tokens, passwords in URLs and real-looking credentials", () => {
    const text = [
      ["-----BEGIN", "OPENSSH PRIVATE KEY-----"].join(" "),
      `auth = "${"ghp"}_${"Ab1".repeat(12)}"`,
      `url: https://admin:${"hunter2"}@grafana.example:3000/`,
      `CONTROL_TOKEN=${hex}`,
      `  password: "${randomBytes(18).toString("base64url")}1"`,
    ].join("\n");
    expect(secretFindings("notes.md", text, none)).toEqual([
      "notes.md:1: a private key",
      "notes.md:2: a GitHub token",
      "notes.md:3: a password in a URL",
      "notes.md:4: CONTROL_TOKEN is given a value that looks real",
      "notes.md:5: password is given a value that looks real",
    ]);
  });

  it("stays quiet about placeholders, references, identifiers and deliberate test tokens", () => {
    const text = [
      "CONTROL_TOKEN: ${CONTROL_TOKEN:?set CONTROL_TOKEN (e.g. in .env)}",
      "  token: blackout-lab-operator-token",
      "    token: config.CONTROL_TOKEN,",
      "GRAFANA_TOKEN=process.env.GRAFANA_TOKEN_2",
      "url: https://admin:${GRAFANA_ADMIN_PASSWORD}@grafana:3000/",
      'const TOKEN = "operator-token-0123456789";',
      '"integrity": "sha512-AbCdEf0123456789AbCdEf0123456789"',
    ].join("\n");
    expect(secretFindings("docker-compose.yml", text, DELIBERATE)).toEqual([]);
    expect(secretFindings("docker-compose.yml", text, none)).toEqual([
      "docker-compose.yml:6: TOKEN is given a value that looks real",
    ]);
  });

  it("finds files that hold keys or environments, not an example environment", () => {
    expect(secretFindings(".env", "", none)).toEqual([".env: an environment file"]);
    expect(secretFindings("deploy/.env.production", "", none)).toEqual([
      "deploy/.env.production: an environment file",
    ]);
    expect(secretFindings("certs/server.key", "", none)).toEqual([
      "certs/server.key: a key or certificate store",
    ]);
    expect(secretFindings(".env.example", "", none)).toEqual([]);
  });
});
