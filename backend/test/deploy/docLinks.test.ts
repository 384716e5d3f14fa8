import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");

/** The newcomer's front page, its reference pages, and the dashboard's README that points at them. */
const pages = [
  "README.md",
  "dashboard/README.md",
  ...readdirSync(join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Markdown outside fenced code blocks: a link shown as code is not a link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "");
}

/** The targets of a page's inline links and images, `[text](target)`, in order. */
function linkTargets(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? "");
}

/** GitHub's anchor for each heading of a page: lower case, punctuation dropped, spaces to "-". */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading = ""] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

describe.each(pages)("%s", (page) => {
  const text = readFileSync(join(repo, page), "utf8");

  it("links only to public sites or to files of this repository, each of which exists", () => {
    const broken: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        // Another site: only public ones, over https (the lab's own addresses are not links).
        if (!target.startsWith("https://")) broken.push(`${target}: not a public https address`);
        continue;
      }
      const [path = "", anchor] = target.split("#");
      const file = path === "" ? join(repo, page) : resolve(repo, dirname(page), path);
      if (relative(repo, file).startsWith("..")) {
        broken.push(`${target}: outside the repository`);
      } else if (!existsSync(file)) {
        broken.push(`${target}: no such file`);
      } else if (anchor !== undefined && file.endsWith(".md") && statSync(file).isFile()) {
        if (!anchors(readFileSync(file, "utf8")).has(anchor)) {
          broken.push(`${target}: no such heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("docs/", () => {
  it("every page starts with its title and a paragraph that says what it is for", () => {
    for (const page of pages.filter((name) => name.startsWith("docs/"))) {
      const [title = "", blank, purpose = ""] = readFileSync(join(repo, page), "utf8").split("\n");
      expect(title, page).toMatch(/^# \S/);
      expect(blank, page).toBe("");
      expect(purpose, page).toMatch(/^[A-Z`*]/);
    }
  });
});
