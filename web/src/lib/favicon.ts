// The tab's title and favicon carry the unread-mention count, like a native app's badge.
let baseIcon: HTMLImageElement | null = null;
let lastKey = "";

export function setBadge(count: number, title: string, brand: { color: string; letter: string; logo?: string }): void {
  document.title = (count > 0 ? `(${count > 99 ? "99+" : count}) ` : "") + title;
  const key = `${count}|${brand.color}|${brand.letter}|${brand.logo ?? ""}`;
  if (key === lastKey) return;
  lastKey = key;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const draw = () => {
    ctx.clearRect(0, 0, 64, 64);
    if (baseIcon && baseIcon.complete && baseIcon.naturalWidth) {
      ctx.drawImage(baseIcon, 0, 0, 64, 64);
    } else {
      ctx.fillStyle = brand.color;
      ctx.beginPath();
      ctx.roundRect(0, 0, 64, 64, 14);
      ctx.fill();
      ctx.fillStyle = "#fff";
      ctx.font = "bold 38px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(brand.letter, 32, 35);
    }
    if (count > 0) {
      ctx.fillStyle = "#e01e5a";
      ctx.beginPath();
      ctx.arc(46, 18, 18, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#fff";
      ctx.font = "bold 24px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(count > 9 ? "9+" : String(count), 46, 19);
    }
    let link = document.querySelector<HTMLLinkElement>("link[rel=icon]");
    if (!link) {
      link = document.createElement("link");
      link.rel = "icon";
      document.head.appendChild(link);
    }
    try {
      link.href = canvas.toDataURL("image/png");
    } catch {
      /* a cross-origin logo taints the canvas: keep the old icon */
    }
  };
  if (brand.logo && (!baseIcon || baseIcon.dataset.src !== brand.logo)) {
    baseIcon = new Image();
    baseIcon.dataset.src = brand.logo;
    baseIcon.onload = draw;
    baseIcon.src = brand.logo;
  } else if (!brand.logo) baseIcon = null;
  draw();
}
