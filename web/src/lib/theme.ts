// Workspace colours → CSS variables. Text on a brand colour is black or white, whichever contrasts more
// (WCAG 2 relative luminance), so a customer's palette never makes the sidebar or buttons unreadable.
import type { ThemeChoice } from "./store";

export interface Palette {
  primary: string;
  accent: string;
}

const DEFAULT: Palette = { primary: "#3f0e40", accent: "#1264a3" };

export function parseHex(hex: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m) return null;
  let h = m[1];
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

const toHex = (rgb: number[]) => "#" + rgb.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, "0")).join("");

export function luminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const la = luminance(parseHex(a) ?? [0, 0, 0]);
  const lb = luminance(parseHex(b) ?? [0, 0, 0]);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on bg (≥ 4.5:1 is always reachable by one of them). */
export function readableOn(bg: string): "#000000" | "#ffffff" {
  return contrast(bg, "#000000") >= contrast(bg, "#ffffff") ? "#000000" : "#ffffff";
}

/** Mix a colour towards another by t (0..1). */
export function mix(a: string, b: string, t: number): string {
  const x = parseHex(a) ?? [0, 0, 0];
  const y = parseHex(b) ?? [0, 0, 0];
  return toHex(x.map((v, i) => v + (y[i] - v) * t));
}

/**
 * Darken (or lighten) a colour until fg reaches the ratio on it, for accent text/links on the page background:
 * an accent that is too pale on white becomes a deeper shade of itself.
 */
export function ensureContrast(color: string, bg: string, ratio = 4.5): string {
  if (contrast(color, bg) >= ratio) return color;
  const towards = luminance(parseHex(bg) ?? [255, 255, 255]) > 0.5 ? "#000000" : "#ffffff";
  for (let t = 0.05; t <= 1; t += 0.05) {
    const c = mix(color, towards, t);
    if (contrast(c, bg) >= ratio) return c;
  }
  return towards;
}

export function themeVars(p: Partial<Palette>, dark: boolean): Record<string, string> {
  const primary = parseHex(p.primary ?? "") ? p.primary! : DEFAULT.primary;
  const accent = parseHex(p.accent ?? "") ? p.accent! : DEFAULT.accent;
  const pageBg = dark ? "#1a1d21" : "#ffffff";
  // The sidebar wears the brand colour; in dark mode a darker shade of it so it sits with the dark page.
  const sidebar = dark ? mix(primary, "#000000", 0.55) : primary;
  const sidebarFg = readableOn(sidebar);
  const sidebarHover = mix(sidebar, sidebarFg, 0.1);
  const sidebarActive = accent;
  return {
    "--brand": primary,
    "--brand-fg": readableOn(primary),
    "--accent": accent,
    "--accent-fg": readableOn(accent),
    "--accent-text": ensureContrast(accent, pageBg),
    "--accent-soft": mix(pageBg, accent, dark ? 0.25 : 0.1),
    "--sidebar-bg": sidebar,
    "--sidebar-fg": sidebarFg,
    "--sidebar-fg-muted": mix(sidebar, sidebarFg, 0.72),
    "--sidebar-hover": sidebarHover,
    "--sidebar-active": sidebarActive,
    "--sidebar-active-fg": readableOn(sidebarActive),
    "--sidebar-border": mix(sidebar, sidebarFg, 0.15),
  };
}

export function prefersDark(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

export function isDark(choice: ThemeChoice): boolean {
  return choice === "dark" || (choice === "system" && prefersDark());
}

/** Apply the palette and light/dark choice to <html>. */
export function applyTheme(p: Partial<Palette>, choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  const dark = isDark(choice);
  root.dataset.theme = dark ? "dark" : "light";
  for (const [k, v] of Object.entries(themeVars(p, dark))) root.style.setProperty(k, v);
  const meta = document.querySelector('meta[name="theme-color"]') ?? Object.assign(document.createElement("meta"), { name: "theme-color" });
  meta.setAttribute("content", themeVars(p, dark)["--sidebar-bg"]);
  if (!meta.parentNode) document.head.appendChild(meta);
}
