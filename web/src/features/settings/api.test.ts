import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { eventLabel, settled, type Delivery } from "./api";

const delivery = (over: Partial<Delivery>): Delivery => ({
  id: "d1",
  webhook_id: "w1",
  event_id: "e1",
  event_type: "ping",
  status: "pending",
  attempts: 0,
  next_attempt_at: null,
  last_status_code: null,
  last_error: null,
  created_at: "2026-01-01T00:00:00Z",
  delivered_at: null,
  ...over,
});

describe("webhook deliveries", () => {
  it("count an attempt's end as settled, whether it worked, failed for good or waits to retry", () => {
    expect(settled(delivery({ status: "pending", attempts: 0 }))).toBe(false);
    expect(settled(delivery({ status: "delivering", attempts: 0 }))).toBe(false);
    expect(settled(delivery({ status: "pending", attempts: 1 }))).toBe(true);
    expect(settled(delivery({ status: "succeeded", attempts: 1 }))).toBe(true);
    expect(settled(delivery({ status: "failed", attempts: 5 }))).toBe(true);
  });

  it("name the known event types in both languages and show unknown ones as they are", () => {
    const en = (key: Parameters<typeof translate>[1]) => translate("en", key);
    const zh = (key: Parameters<typeof translate>[1]) => translate("zh", key);
    expect(eventLabel(en, "*")).toBe("All events");
    expect(eventLabel(zh, "render.succeeded")).toBe("视频渲染完成");
    expect(eventLabel(en, "project.archived")).toBe("project.archived");
  });
});
