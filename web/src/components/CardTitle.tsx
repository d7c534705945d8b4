import { Typography } from "antd";
import type { ReactNode } from "react";

/** A card's heading: an `h2` under the page's `h1`, with an optional icon that is not read out
 * as part of the heading's name. */
export function CardTitle({ icon, children }: { icon?: ReactNode; children: ReactNode }) {
  return (
    <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
      {icon && <span aria-hidden="true">{icon} </span>}
      {children}
    </Typography.Title>
  );
}
