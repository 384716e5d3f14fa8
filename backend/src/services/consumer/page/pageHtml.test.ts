import { describe, expect, it } from "vitest";
import { PAGE_CONFIG_ID, parsePageConfig, renderPageHtml } from "./pageHtml.ts";

const config = { pollMs: 500, stallMs: 1500, consumerId: "consumer-1", controlUrl: null };

function configText(html: string): string {
  const match = new RegExp(
    `<script type="application/json" id="${PAGE_CONFIG_ID}">(.*?)</script>`,
  ).exec(html);
  if (match?.[1] === undefined) throw new Error("no config element");
  return match[1];
}

describe("renderPageHtml", () => {
  it("embeds the config for the script and loads the script by a relative URL", () => {
    const html = renderPageHtml(config, "app.js?v=abc");
    expect(parsePageConfig(configText(html))).toEqual(config);
    expect(html).toContain('<script type="module" src="app.js?v=abc"></script>');
    for (const testId of ["connection", "consumer", "missing", "duplicates", "stale"]) {
      expect(html).toContain(`data-testid="${testId}"`);
    }
    expect(html).toContain(`data-testid="failed-polls"`);
    expect(html).toContain(`data-testid="stalls"`);
  });

  it("escapes values so that none can end the config element or inject markup", () => {
    const hostile = { ...config, consumerId: `</script><script>alert("x")</script>&'` };
    const html = renderPageHtml(hostile, `app.js?v="><script>`);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(parsePageConfig(configText(html))).toEqual(hostile);
    expect(html).toContain(`page served by &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)`);
  });
});

describe("parsePageConfig", () => {
  it.each([
    ["[]", "pollMs must be a number of ms greater than 0"],
    ['{"pollMs":0,"stallMs":1,"consumerId":"c"}', "pollMs must be"],
    ['{"pollMs":1,"stallMs":"1","consumerId":"c"}', "stallMs must be"],
    ['{"pollMs":1,"stallMs":1}', "consumerId must be a string"],
    [
      '{"pollMs":1,"stallMs":1,"consumerId":"c","controlUrl":7}',
      "controlUrl must be a string or null",
    ],
  ])("rejects %s naming the field", (text, message) => {
    expect(() => parsePageConfig(text)).toThrow(message);
  });
});
