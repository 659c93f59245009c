/** Time-zone arithmetic for the user's own IANA zone, with nothing but Intl. */

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function parts(instant: Date, timeZone: string): Record<string, number> {
  // Built once per zone: a new Intl.DateTimeFormat per call made the day's arithmetic the
  // page's longest task (Lighthouse's blocking time on Today and the care plan).
  let fmt = partsFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormats.set(timeZone, fmt);
  }
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(instant)) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return out;
}

/** Minutes the zone is ahead of UTC at `instant` (e.g. -300 for New York in winter). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The UTC instant of local wall-clock `date` (YYYY-MM-DD) at hh:mm in `timeZone`. */
export function zonedInstant(date: string, timeZone: string, hh = 0, mm = 0): Date {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  // Two passes settle the offset even when the guess falls on the other side of a DST change.
  let offset = zoneOffsetMinutes(new Date(guess), timeZone);
  let result = guess - offset * 60000;
  offset = zoneOffsetMinutes(new Date(result), timeZone);
  result = guess - offset * 60000;
  return new Date(result);
}

/** The local date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

/** [start, end) of a local day as ISO instants, for ?start=&end= queries. */
export function dayRange(date: string, timeZone: string): { start: string; end: string } {
  return {
    start: zonedInstant(date, timeZone).toISOString(),
    end: zonedInstant(addDays(date, 1), timeZone).toISOString(),
  };
}

/** Where the user's 12/24-hour choice is kept (this device only; "auto" follows the locale). */
export const HOUR_CYCLE_KEY = "interlude.hourCycle";
export type HourChoice = "auto" | "12" | "24";

export function hourChoice(): HourChoice {
  try {
    const v = localStorage.getItem(HOUR_CYCLE_KEY);
    return v === "12" || v === "24" ? v : "auto";
  } catch {
    return "auto";
  }
}

/** `hour12` for Intl: undefined lets the browser's locale decide (12-hour in the US). */
export function hour12(choice: HourChoice = hourChoice()): boolean | undefined {
  return choice === "auto" ? undefined : choice === "12";
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A cached Intl formatter in the browser's locale (formatters are costly to build). */
function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { timeZone, ...options });
    formats.set(key, f);
  }
  return f;
}

/** "2:00 PM" in the US, "14:00" in most of Europe, or as the user chose. */
export function formatTime(iso: string | number | Date, timeZone: string, h12 = hour12()): string {
  return formatter(timeZone, { hour: "numeric", minute: "2-digit", hour12: h12 }).format(new Date(iso));
}

export function formatDay(date: string, timeZone: string): string {
  return formatter(timeZone, { weekday: "long", day: "numeric", month: "long" }).format(
    zonedInstant(date, timeZone, 12),
  );
}

/** "7 Dec" / "Dec 7": a short local date of an instant in `timeZone`. */
export function formatShortDate(iso: string | number | Date, timeZone: string): string {
  return formatter(timeZone, { day: "numeric", month: "short" }).format(new Date(iso));
}

/** A local date (YYYY-MM-DD, no zone) as the browser's locale writes it, e.g. "Mon, Dec 7". */
export function formatLocalDate(date: string): string {
  return formatter("UTC", { weekday: "short", day: "numeric", month: "short" }).format(
    new Date(`${date}T12:00:00Z`),
  );
}

/** "Dec 7, 2:50 PM": date and time of an instant, both local to `timeZone`. */
export function formatDateTime(iso: string | number | Date, timeZone: string): string {
  return `${formatShortDate(iso, timeZone)}, ${formatTime(iso, timeZone)}`;
}

/** A local time of day ("14:00:00", no zone) in the user's 12/24-hour style. */
export function formatClock(value: string | null | undefined): string {
  if (!value) return "";
  const [h, m] = value.split(":").map(Number);
  return formatTime(Date.UTC(2000, 0, 1, h, m), "UTC");
}

/** "in 1 h 05 min", "in 4 min", "now". */
export function countdown(ms: number): string {
  if (ms <= 30000) return "now";
  return `in ${duration(ms)}`;
}

/** "8 min", "1 h 05 min": whole minutes, rounded up (at 13:52:30, a 14:00 start is 8 min away). */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60000 - 1e-9));
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function deviceTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** "09:00:00" -> "09:00" */
export function hhmm(value: string | null | undefined): string {
  return value ? value.slice(0, 5) : "";
}
