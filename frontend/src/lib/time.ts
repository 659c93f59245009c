/** Time-zone arithmetic for the user's own IANA zone, with nothing but Intl. */

function parts(instant: Date, timeZone: string): Record<string, number> {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
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

export function formatTime(iso: string | number | Date, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function formatDay(date: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(zonedInstant(date, timeZone, 12));
}

/** "in 1 h 05 min", "in 4 min", "now". */
export function countdown(ms: number): string {
  if (ms <= 30000) return "now";
  const minutes = Math.round(ms / 60000);
  if (minutes < 60) return `in ${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `in ${h} h ${String(minutes % 60).padStart(2, "0")} min`;
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
