/** Builds the Today timeline: sessions as blocks, breaks and rituals between them, held time. */
import type { Appointment, HeldTime, Reminder } from "../api/models";

export const BACK_TO_BACK_GAP_MS = 10 * 60000;
export const BACK_TO_BACK_RUN = 3;

export type TimelineItem =
  | { type: "session"; at: number; end: number; appointment: Appointment; backToBack: boolean }
  | { type: "reminder"; at: number; reminder: Reminder }
  | { type: "held"; at: number; end: number; held: HeldTime };

/** Reminder kinds the user acts on in the moment (a break screen makes sense for them). */
export const BREAK_KINDS = new Set([
  "micro_break",
  "transition_ritual",
  "end_of_day",
  "fixed_break",
  "interval_break",
]);

/**
 * Marks sessions that belong to a back-to-back run: `BACK_TO_BACK_RUN` or more sessions in a row
 * with less than ten minutes between one's end and the next one's start (the planner's rule).
 */
export function backToBackIds(appointments: Appointment[]): Set<string> {
  const sessions = appointments
    .filter((a) => a.kind === "session" && !a.all_day)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const marked = new Set<string>();
  let run: Appointment[] = [];
  const flush = () => {
    if (run.length >= BACK_TO_BACK_RUN) run.forEach((a) => marked.add(a.id));
    run = [];
  };
  for (const s of sessions) {
    const prev = run[run.length - 1];
    if (prev && Date.parse(s.start) - Date.parse(prev.end) >= BACK_TO_BACK_GAP_MS) flush();
    run.push(s);
  }
  flush();
  return marked;
}

export function buildTimeline(appointments: Appointment[], reminders: Reminder[], held: HeldTime[] = []): TimelineItem[] {
  const b2b = backToBackIds(appointments);
  const items: TimelineItem[] = [];
  for (const a of appointments) {
    if (a.all_day) continue;
    items.push({
      type: "session",
      at: Date.parse(a.start),
      end: Date.parse(a.end),
      appointment: a,
      backToBack: b2b.has(a.id),
    });
  }
  for (const r of reminders) {
    // Cancelled by a re-plan: gone. Done or skipped before it was sent is also "cancelled"
    // on the server (nothing left to send), but the therapist did it: it stays, marked.
    if (r.state === "cancelled" && !r.ack_action) continue;
    items.push({ type: "reminder", at: Date.parse(r.due_at), reminder: r });
  }
  // Held time (the week ahead's "hold this time"): busy time for the planner, shown as a block.
  for (const h of held) items.push({ type: "held", at: Date.parse(h.start), end: Date.parse(h.end), held: h });
  // A reminder due at the minute a session starts belongs before it (e.g. a ritual heads-up).
  return items.sort((x, y) => x.at - y.at || (x.type === "reminder" ? -1 : 1));
}

/** After its planned minutes, an untouched break stays "open" this long, then is history. */
export const BREAK_GRACE_MS = 10 * 60000;

/** When a reminder stops being current: a break after its planned minutes, others at once. */
export function reminderEnd(r: Reminder): number {
  return Date.parse(r.due_at) + Math.max(0, r.duration_minutes) * 60000;
}

/**
 * The next break the user has not acted on yet: due after `now`, or still open (before its
 * expiry and no more than BREAK_GRACE_MS past its planned minutes: a break from 11:50 is not
 * "next" at 13:52 just because the next session is at 14:00).
 */
export function nextBreak(reminders: Reminder[], now: number): Reminder | null {
  const open = reminders
    .filter((r) => BREAK_KINDS.has(r.kind) && !r.ack_action && r.state !== "cancelled")
    .filter((r) => Date.parse(r.expires_at) > now && reminderEnd(r) + BREAK_GRACE_MS > now)
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  return open[0] ?? null;
}

/** Whether a timeline item is over at `now` (shown dimmed). */
export function isPast(item: TimelineItem, now: number): boolean {
  return item.type !== "reminder" ? item.end <= now : Math.max(reminderEnd(item.reminder), item.at + 60000) <= now;
}

/** Index in `items` where the "now" line goes: before the first item not yet started. */
export function nowIndex(items: TimelineItem[], now: number): number {
  const i = items.findIndex((item) => item.at > now);
  return i === -1 ? items.length : i;
}

/** What the day's summary counts: exactly the sessions and breaks the timeline shows. */
export function countShown(items: TimelineItem[]): { sessions: number; breaks: number } {
  let sessions = 0;
  let breaks = 0;
  for (const item of items) {
    if (item.type === "session") sessions += item.appointment.kind === "session" ? 1 : 0;
    else if (item.type === "reminder" && BREAK_KINDS.has(item.reminder.kind)) breaks += 1;
  }
  return { sessions, breaks };
}

/** The free time before and after one appointment, to its timed neighbours of the day. */
export interface Gaps {
  /** Minutes since the previous appointment ended (0: back to back or overlapping); null: first. */
  before: number | null;
  previousEnd: string | null;
  /** Minutes until the next appointment starts; null: last of the day. */
  after: number | null;
  nextStart: string | null;
}

export function gapsAround(appointments: Appointment[], id: string): Gaps {
  const timed = appointments.filter((a) => !a.all_day);
  const self = timed.find((a) => a.id === id);
  const none: Gaps = { before: null, previousEnd: null, after: null, nextStart: null };
  if (!self) return none;
  const start = Date.parse(self.start);
  const end = Date.parse(self.end);
  let previous: Appointment | null = null;
  let next: Appointment | null = null;
  for (const a of timed) {
    if (a.id === id) continue;
    const aStart = Date.parse(a.start);
    const aEnd = Date.parse(a.end);
    if (aStart < start && (!previous || aEnd > Date.parse(previous.end))) previous = a;
    const later = aStart > start || (aStart === start && a.id > id);
    if (later && (!next || aStart < Date.parse(next.start))) next = a;
  }
  const minutes = (ms: number) => Math.max(0, Math.round(ms / 60000));
  return {
    before: previous ? minutes(start - Date.parse(previous.end)) : null,
    previousEnd: previous?.end ?? null,
    after: next ? minutes(Date.parse(next.start) - end) : null,
    nextStart: next?.start ?? null,
  };
}

/** "Ritual: Heavy reset · 4 min" for a reminder that carries a ritual, else null. */
export function ritualLabel(r: Pick<Reminder, "ritual_name" | "ritual_minutes">): string | null {
  if (!r.ritual_name) return null;
  return `Ritual: ${r.ritual_name}${r.ritual_minutes ? ` · ${r.ritual_minutes} min` : ""}`;
}
