/**
 * Where the therapist is right now and what comes next, from what Today already loaded:
 * "In session until 2:50 PM" / "Break · 4 min left" / "Free until 2:00 PM", and
 * "Next client 2:00 PM · in 8 min". Pure: the clock, the zone and the 12/24-hour choice are
 * passed in, so the edges (a minute before a client, across DST) are unit-tested.
 */
import type { Appointment, Reminder } from "../api/models";
import { duration, formatTime } from "./time";
import { BREAK_KINDS } from "./timeline";

export type DayState = "session" | "break" | "free" | "done" | "empty";

export interface DayStatus {
  state: DayState;
  headline: string;
  /** "Next client 2:00 PM · in 8 min", or null when no session is left today. */
  next: string | null;
  /** The next session's start (epoch ms), for screens that count down to it. */
  nextStart: number | null;
}

/** Timed client sessions, earliest first. */
export function sessionsOf(appointments: Appointment[]): Appointment[] {
  return appointments
    .filter((a) => a.kind === "session" && !a.all_day)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** The first session starting after `now`. */
export function nextSession(appointments: Appointment[], now: number): Appointment | null {
  return sessionsOf(appointments).find((a) => Date.parse(a.start) > now) ?? null;
}

/** A break being taken now: due, not acted on (Done ends it), within its planned minutes. */
export function currentBreak(reminders: Reminder[], now: number): Reminder | null {
  return (
    reminders.find((r) => {
      if (!BREAK_KINDS.has(r.kind) || r.state === "cancelled" || r.ack_action) return false;
      const due = Date.parse(r.due_at);
      return due <= now && now < due + Math.max(1, r.duration_minutes) * 60000;
    }) ?? null
  );
}

export function dayStatus(
  now: number,
  appointments: Appointment[],
  reminders: Reminder[],
  zone: string,
  h12?: boolean,
): DayStatus {
  const time = (iso: string) => formatTime(iso, zone, h12);
  const sessions = sessionsOf(appointments);
  const current = sessions.find((a) => Date.parse(a.start) <= now && now < Date.parse(a.end));
  const upcoming = sessions.find((a) => Date.parse(a.start) > now) ?? null;
  const nextStart = upcoming ? Date.parse(upcoming.start) : null;
  const next =
    upcoming && nextStart !== null
      ? `Next client ${time(upcoming.start)} · in ${duration(nextStart - now)}`
      : null;

  if (current) {
    return { state: "session", headline: `In session until ${time(current.end)}`, next, nextStart };
  }
  const breakNow = currentBreak(reminders, now);
  if (breakNow) {
    const end = Date.parse(breakNow.due_at) + Math.max(1, breakNow.duration_minutes) * 60000;
    const until = nextStart !== null ? Math.min(end, nextStart) : end;
    return { state: "break", headline: `Break · ${duration(until - now)} left`, next, nextStart };
  }
  if (upcoming) {
    return { state: "free", headline: `Free until ${time(upcoming.start)}`, next, nextStart };
  }
  if (sessions.length) {
    return { state: "done", headline: "No more sessions today", next: null, nextStart: null };
  }
  return { state: "empty", headline: "No sessions today", next: null, nextStart: null };
}
