import { Grid, Tabs, Typography } from "antd";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router-dom";

export interface PageTab {
  key: string;
  icon: ReactNode;
  label: string;
  children: ReactNode;
}

/** A page of tabs under its `h1`: the open tab is in `?tab=` (absent for the first one) so each
 * can be linked to, and a hidden tab is unmounted. */
export function TabsPage({ title, tabs, testId }: { title: string; tabs: PageTab[]; testId: string }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const first = tabs[0]?.key;
  const active = requested !== null && tabs.some((tab) => tab.key === requested) ? requested : first;
  // On a phone the tabs go without icons and closer together, so they fit: antd's "more"
  // overflow button breaks the tab list's ARIA structure.
  const phone = Grid.useBreakpoint().md === false;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0, marginBottom: 8 }}>
        {title}
      </Typography.Title>
      <div data-testid={testId}>
        <Tabs
          activeKey={active}
          onChange={(key) => setParams(key === first ? {} : { tab: key })}
          items={phone ? tabs.map(({ icon: _icon, ...tab }) => tab) : tabs}
          tabBarGutter={phone ? 18 : undefined}
          destroyOnHidden
        />
      </div>
    </>
  );
}
