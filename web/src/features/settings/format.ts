/** Dates, durations and numbers in the reader's language. */
import { useMemo } from "react";
import { useI18n } from "../../i18n";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

export interface Format {
  /** "Nov 23, 2026, 3:12 AM" in the reader's time zone; "" for null. */
  dateTime: (iso: string | null | undefined) => string;
  /** "Nov 23, 2026"; "" for null. */
  date: (iso: string | null | undefined) => string;
  /** A UTC calendar day (YYYY-MM-DD) as "Mon, Nov 23". */
  day: (ymd: string) => string;
  /** "in 3 hours", "5 minutes ago". */
  relative: (iso: string | null | undefined, now?: number) => string;
  /** Seconds as "45 sec", "12.5 min", "3 hr". */
  duration: (seconds: number) => string;
  number: (n: number, maximumFractionDigits?: number) => string;
}

export function useFormat(): Format {
  const { lang } = useI18n();
  return useMemo(() => {
    const locale = lang === "zh" ? "zh-CN" : "en";
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    const day = new Intl.DateTimeFormat(locale, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
    const rel = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    const unit = (u: "second" | "minute" | "hour") =>
      new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: 1 });
    const seconds = unit("second");
    const minutes = unit("minute");
    const hours = unit("hour");
    return {
      dateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : ""),
      date: (iso) => (iso ? date.format(new Date(iso)) : ""),
      day: (ymd) => day.format(new Date(`${ymd}T00:00:00Z`)),
      relative: (iso, now = Date.now()) => {
        if (!iso) return "";
        const diff = (new Date(iso).getTime() - now) / 1000;
        for (const [name, size] of UNITS) {
          if (Math.abs(diff) >= size || name === "second") return rel.format(Math.round(diff / size), name);
        }
        return "";
      },
      duration: (s) => {
        if (s >= 3_600) return hours.format(s / 3_600);
        if (s >= 60) return minutes.format(s / 60);
        return seconds.format(s);
      },
      number: (n, maximumFractionDigits = 0) => n.toLocaleString(locale, { maximumFractionDigits }),
    };
  }, [lang]);
}
