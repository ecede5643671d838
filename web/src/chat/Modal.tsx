// A dialog frame: focus moves in, Escape and the backdrop close it, focus returns to where it was.
import { useLayoutEffect, useRef } from "preact/hooks";
import { Icon } from "./Icons";

export function Modal(p: { title: string; onClose: () => void; children: preact.ComponentChildren; wide?: boolean; testid?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("input, textarea, select, button:not(.modal-close)");
    (first ?? ref.current)?.focus();
    return () => prev?.focus?.();
  }, []);
  return (
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && p.onClose()}>
      <div
        ref={ref}
        class={"modal" + (p.wide ? " wide" : "")}
        role="dialog"
        aria-modal="true"
        aria-label={p.title}
        data-testid={p.testid}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            p.onClose();
          }
        }}
      >
        <header class="modal-header">
          <h2>{p.title}</h2>
          <button class="icon-btn modal-close" aria-label="Close" onClick={p.onClose}><Icon name="close" /></button>
        </header>
        <div class="modal-body">{p.children}</div>
      </div>
    </div>
  );
}
