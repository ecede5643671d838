// Markdown → sanitised HTML. markdown-it with raw HTML off renders the text; DOMPurify then allows only a short
// list of tags and attributes and only http(s)/mailto links, so nothing a sender types can run script or load
// content. Mentions (<@id>) become "@Name" chips; @channel/@here/@everyone are highlighted.
import MarkdownIt from "markdown-it";
import DOMPurify, { type Config } from "dompurify";
import { emojifyHTML } from "./emojiImages";

export interface RenderEnv {

  /** Display name of a user id, or undefined if unknown. */
  name?: (id: string) => string | undefined;
  /** The reader's id: their own mentions get a stronger highlight. */
  me?: string;
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.disable(["image", "heading", "lheading", "hr", "table"]); // chat messages: no images (tracking), no big headings
md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());

// <@123> → mention token. Runs before the HTML/autolink rules would escape it.
md.inline.ruler.before("autolink", "relay_mention", (state, silent) => {
  const src = state.src.slice(state.pos);
  const m = /^<@(\d{1,20})>/.exec(src);
  if (!m) return false;
  if (!silent) {
    const t = state.push("relay_mention", "", 0);
    t.meta = { id: m[1] };
  }
  state.pos += m[0].length;
  return true;
});

md.renderer.rules.relay_mention = (tokens, idx, _opts, env) => {
  const e = (env ?? {}) as RenderEnv;
  const id = (tokens[idx].meta as { id: string }).id;
  const name = e.name?.(id) ?? "unknown";
  const self = e.me === id ? " mention-me" : "";
  return `<span class="mention${self}" data-user-id="${id}">@${md.utils.escapeHtml(name)}</span>`;
};

// @channel / @here / @everyone in plain text.
const defaultText = md.renderer.rules.text!;
md.renderer.rules.text = (tokens, idx, opts, env, self) => {
  const html = defaultText(tokens, idx, opts, env, self);
  return html.replace(/(^|[^\w@])@(channel|here|everyone)\b/g, '$1<span class="mention mention-all">@$2</span>');
};

const ALLOWED_TAGS = ["p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"];
const purifyConfig: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ["href", "title", "class", "data-user-id", "target", "rel", "start"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  KEEP_CONTENT: true,
};

let hooked = false;
function purifier() {
  if (!hooked) {
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        const href = node.getAttribute("href") ?? "";
        if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute("href");
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
      if (node.tagName === "SPAN") {
        const cls = node.getAttribute("class") ?? "";
        if (!/^mention( mention-(me|all))?$/.test(cls)) node.removeAttribute("class");
      } else if (node.hasAttribute("class") && !(node.tagName === "CODE" && /^language-[\w-]+$/.test(node.getAttribute("class")!))) {
        node.removeAttribute("class");
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

export function renderMarkdown(body: string, env: RenderEnv = {}): string {
  const html = md.render(body, env as never);
  return emojifyHTML(purifier().sanitize(html, purifyConfig) as string);
}

/** Plain text of a body for previews and notifications: mentions as @Name, Markdown marks kept. */
export function plainText(body: string, env: RenderEnv = {}): string {
  return body.replace(/<@(\d{1,20})>/g, (_, id: string) => "@" + (env.name?.(id) ?? "unknown"));
}
