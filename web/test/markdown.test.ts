import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../src/lib/markdown";

const render = (s: string) => renderMarkdown(s, { name: (id) => (id === "42" ? "Ann <b>" : undefined), me: "42" });

function dom(html: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = html;
  return div;
}

describe("markdown formatting", () => {
  it("renders the usual chat formatting", () => {
    const html = render("**bold** _it_ ~~gone~~ `code`\n\n- one\n- two\n\n> quoted\n\n```\nx < y\n```");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toContain("<s>gone</s>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<blockquote>");
    expect(html).toContain("x &lt; y");
  });

  it("makes links clickable, opening safely in a new tab", () => {
    const a = dom(render("see https://example.com/a?b=1 and [docs](https://example.org)")).querySelectorAll("a");
    expect(a).toHaveLength(2);
    for (const el of a) {
      expect(el.getAttribute("target")).toBe("_blank");
      expect(el.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    }
    expect(a[0].getAttribute("href")).toBe("https://example.com/a?b=1");
    expect(render("[mail](mailto:ann@acme.test)")).toContain('href="mailto:ann@acme.test"');
  });

  it("shows mentions as @Name, escaped, and highlights @channel", () => {
    const html = render("hi <@42> and <@7>, @here");
    const el = dom(html);
    const mentions = el.querySelectorAll("span.mention");
    expect(mentions[0].textContent).toBe("@Ann <b>");
    expect(mentions[0].className).toBe("mention mention-me");
    expect(mentions[1].textContent).toBe("@unknown");
    expect(el.querySelector("b")).toBeNull();
    expect(el.querySelector(".mention-all")?.textContent).toBe("@here");
  });
});

describe("markdown sanitising", () => {
  const attacks: [string, string][] = [
    ["script tag", "<script>alert(1)</script>"],
    ["img onerror", '<img src=x onerror="alert(1)">'],
    ["svg onload", "<svg onload=alert(1)>"],
    ["iframe", '<iframe src="https://evil.test"></iframe>'],
    ["javascript link", "[click](javascript:alert(1))"],
    ["javascript link, encoded", "[click](jav&#x09;ascript:alert(1))"],
    ["javascript link, mixed case", "[click](JaVaScRiPt:alert(1))"],
    ["vbscript link", "[click](vbscript:msgbox(1))"],
    ["data link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["data image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"],
    ["autolink javascript", "<javascript:alert(1)>"],
    ["html in link text", '[<img src=x onerror=alert(1)>](https://ok.test)'],
    ["link title breakout", '[a](https://ok.test "x\\" onmouseover=\\"alert(1)")'],
    ["nested tags", "<<script>script>alert(1)<</script>/script>"],
    ["style tag", "<style>body{display:none}</style>"],
    ["form", '<form action="https://evil.test"><input name=x></form>'],
    ["mention breakout", '<@1"><img src=x onerror=alert(1)>>'],
  ];
  for (const [name, input] of attacks) {
    it(`neutralises ${name}`, () => {
      const html = render(input);
      const el = dom(html);
      expect(el.querySelectorAll("script, img, svg, iframe, style, form, input, object, embed")).toHaveLength(0);
      for (const node of el.querySelectorAll("*")) {
        for (const attr of node.attributes) {
          expect(attr.name.startsWith("on"), `${attr.name} on ${node.tagName}`).toBe(false);
          if (attr.name === "href") expect(attr.value).toMatch(/^(https?:|mailto:)/i);
        }
      }
      expect(html).not.toMatch(/<(script|img|svg|iframe|style|form)|href="(?!https?:|mailto:)/i);
    });
  }

  it("keeps the text of what it removes visible as text", () => {
    expect(dom(render("<b>hi</b>")).textContent).toContain("<b>hi</b>");
  });
});
