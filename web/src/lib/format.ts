/** Dates, durations and numbers in the reader's language: the one set of formatters the project
 * list, the studio, the settings and the admin pages share. */
import { useEffect, useMemo, useState } from "react";
import { useI18n } from "../i18n";
import type { Lang } from "../i18n/catalog";

/** The locale `Intl` formats a UI language in. */
export function localeOf(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en";
}

// Building an Intl formatter is slow next to using one: each is made once per locale and style.
const formatters = new Map<string, unknown>();
function cached<T>(key: string, make: () => T): T {
  let value = formatters.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    formatters.set(key, value);
  }
  return value;
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A length as a clock: 83.4 → "1:23"; 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 12345 → "12,345" (grouped as the language writes numbers). */
export function formatNumber(n: number, lang: Lang, maximumFractionDigits = 0): string {
  return n.toLocaleString(localeOf(lang), { maximumFractionDigits });
}

/** An amount of money in the server's currency: "$0.24", "¥1.50" (an ISO code, in capitals, is
 * written as the language writes it; any other unit, e.g. "credits", follows the number).
 * Small amounts keep up to 4 decimals so a fraction of a cent does not read as nothing. */
export function formatMoney(amount: number, currency: string, lang: Lang): string {
  const locale = localeOf(lang);
  const digits = amount !== 0 && Math.abs(amount) < 1 ? 4 : 2;
  const code = currency.trim();
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return cached(`money|${locale}|${code}|${digits}`, () =>
        new Intl.NumberFormat(locale, { style: "currency", currency: code, minimumFractionDigits: 2, maximumFractionDigits: digits }),
      ).format(amount);
    } catch {
      // not a currency Intl knows: written as a number and its unit below
    }
  }
  const number = cached(`amount|${locale}|${digits}`, () => new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: digits }));
  return `${number.format(amount)} ${currency.trim()}`.trim();
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago", "yesterday", "in 3 hours", in the UI's language. Under a minute: `justNow`
 * when given, else in seconds. "" for no date or one that cannot be read. */
export function relativeTime(iso: string | null | undefined, now: number, lang: Lang, justNow?: string): string {
  const then = parse(iso);
  if (!then) return "";
  const seconds = (then.getTime() - now) / 1000;
  const locale = localeOf(lang);
  const format = cached(`rel|${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: "auto" }));
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return justNow ?? format.format(Math.round(seconds), "second");
}

/** "Nov 23, 2026, 3:12 AM" in the reader's time zone; "" for no date or one that cannot be read. */
export function absoluteTime(iso: string | null | undefined, lang: Lang): string {
  const then = parse(iso);
  if (!then) return "";
  const locale = localeOf(lang);
  return cached(`dateTime|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" })).format(then);
}

export interface Format {
  /** "Nov 23, 2026, 3:12 AM" in the reader's time zone; "" for null. */
  dateTime: (iso: string | null | undefined) => string;
  /** "Nov 23, 2026"; "" for null. */
  date: (iso: string | null | undefined) => string;
  /** A UTC calendar day (YYYY-MM-DD) as "Mon, Nov 23". */
  day: (ymd: string) => string;
  /** "in 3 hours", "5 minutes ago". */
  relative: (iso: string | null | undefined, now?: number) => string;
  /** An amount of time as "45 sec", "12.5 min", "3 hr" (a video's length is `formatDuration`). */
  duration: (seconds: number) => string;
  number: (n: number, maximumFractionDigits?: number) => string;
  /** "$0.24" in `currency` (see `formatMoney`). */
  money: (amount: number, currency: string) => string;
}

/** The formatters above, bound to the UI's language. */
export function useFormat(): Format {
  const { lang } = useI18n();
  return useMemo(() => {
    const locale = localeOf(lang);
    const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    const day = new Intl.DateTimeFormat(locale, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
    const unit = (u: "second" | "minute" | "hour") =>
      new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: 1 });
    const seconds = unit("second");
    const minutes = unit("minute");
    const hours = unit("hour");
    return {
      dateTime: (iso) => absoluteTime(iso, lang),
      date: (iso) => {
        const then = parse(iso);
        return then ? date.format(then) : "";
      },
      day: (ymd) => day.format(new Date(`${ymd}T00:00:00Z`)),
      relative: (iso, now = Date.now()) => relativeTime(iso, now, lang),
      duration: (s) => {
        if (s >= 3_600) return hours.format(s / 3_600);
        if (s >= 60) return minutes.format(s / 60);
        return seconds.format(s);
      },
      number: (n, maximumFractionDigits = 0) => formatNumber(n, lang, maximumFractionDigits),
      money: (amount, currency) => formatMoney(amount, currency, lang),
    };
  }, [lang]);
}

/** The current time, ticking every `everyMs` so relative times stay true. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
