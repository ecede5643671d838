// Dates, times and sizes as people read them in a chat.
export function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const that = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const days = Math.round((today.getTime() - that.getTime()) / 86400000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return d.toLocaleDateString([], { weekday: "long", month: "long", day: "numeric", year: d.getFullYear() === now.getFullYear() ? undefined : "numeric" });
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export function relative(iso: string, now = Date.now()): string {
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString([], { month: "short", day: "numeric" });
}

/** A file size as people read it ("512 B", "2.0 KB", "12 MB"); empty when unknown. */
export function humanSize(n: number | undefined): string {
  if (!n || n < 0) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Up to two initials for an avatar, from the words of a name that start with a letter or digit
 * ("Yuki (LINE)" → "YL", "ops@customer.example" → "OC"). */
export function initials(name: string): string {
  const words = name.trim().split(/[\s@._()[\]{}<>\-–—/|,:;'"!?+*#]+/u).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  return words.slice(0, 2).map((w) => String.fromCodePoint(w.codePointAt(0)!).toUpperCase()).join("") || "?";
}

const avatarHues = [210, 340, 160, 30, 270, 190, 0, 120, 300, 45];

/** A stable hue for someone's initials avatar, from their id. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return avatarHues[h % avatarHues.length];
}

/** Sentences joined with one full stop between them, whatever punctuation each already ends with. */
function sentence(s: string): string {
  const t = s.trim();
  return !t || /[.!?…]$/.test(t) ? t : t + ".";
}

/**
 * The line under a message that did not go out: "Not sent: <why>." (the reason's own full stop kept, never
 * doubled). One that failed for want of a connection says it goes out by itself once the connection is back.
 */
export function notSentText(error?: string, resend?: boolean): string {
  if (resend) return "Not sent: no connection. It goes out when the connection is back.";
  return error?.trim() ? `Not sent: ${sentence(error)}` : "Not sent.";
}
