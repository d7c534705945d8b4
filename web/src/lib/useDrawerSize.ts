import { Grid } from "antd";

/** A side drawer's width: `px` from the `from` breakpoint up, the whole screen below it (a
 * phone never scrolls sideways). */
export function useDrawerSize(px: number, from: "sm" | "md" = "md"): number | "100%" {
  const screens = Grid.useBreakpoint();
  return screens[from] ? px : "100%";
}
