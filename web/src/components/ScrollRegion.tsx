import { useEffect, useRef, type ReactNode } from "react";

const SCROLLERS = ".ant-table-content, .ant-table-body";

/** Wraps a wide antd Table: the table scrolls sideways inside its own box (never the page), and
 * when it does, that box becomes a labelled, focusable region so keyboard users can scroll it
 * with the arrow keys. */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const apply = () => {
      root.querySelectorAll<HTMLElement>(SCROLLERS).forEach((el) => {
        if (el.scrollWidth > el.clientWidth + 1) {
          el.tabIndex = 0;
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", label);
        } else {
          el.removeAttribute("tabindex");
          el.removeAttribute("role");
          el.removeAttribute("aria-label");
        }
      });
    };
    apply();
    const observer = new ResizeObserver(apply);
    observer.observe(root);
    root.querySelectorAll(`${SCROLLERS}, table`).forEach((el) => observer.observe(el));
    return () => observer.disconnect();
  });
  return (
    <div ref={ref} style={{ minWidth: 0, maxWidth: "100%" }}>
      {children}
    </div>
  );
}
