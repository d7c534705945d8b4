import { Skeleton } from "antd";

/** What a page shows while its code or first data loads. */
export function PageSkeleton() {
  return (
    <div style={{ padding: 24, maxWidth: 1200, margin: "0 auto" }} aria-busy="true">
      <Skeleton active title paragraph={{ rows: 6 }} />
    </div>
  );
}
