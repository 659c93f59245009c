/**
 * Notes time and ending on time (issue 21): the reads and writes the screens share, and the
 * words they show. Marks are flags on one session occurrence, never text.
 */
import { cachedGet, request, write } from "../api/client";
import type { Appointment, HeldTime } from "../api/models";

const V1 = "/api/v1";

/** One session still waiting for its notes (`GET /wellbeing/notes`). */
export interface NotesSession {
  id: string;
  start: string;
  end: string;
}

/** The notes backlog and how often sessions ran over (`GET /wellbeing/notes`). */
export interface NotesLoad {
  enabled: boolean;
  backlog_days: number;
  backlog: number;
  sessions: NotesSession[];
  ran_over_days: number;
  sessions_ended: number;
  ran_over: number;
}

/** The two marks a session occurrence gains: send only the one that changes. */
export interface SessionMarks {
  notes_done?: boolean;
  ran_over?: boolean;
}

/** An appointment as the API now answers it (the marks may be missing from older caches). */
export type MarkedAppointment = Appointment & { notes_done?: boolean; ran_over?: boolean };

export type NotesOrder = "break_first" | "notes_first";

export const notesApi = {
  load: () => cachedGet<NotesLoad>(`${V1}/wellbeing/notes`),
  /** Any marks on one occurrence (intense and telehealth too): PATCH /appointments/{id}. */
  markSession: (id: string, marks: SessionMarks & { intense?: boolean; telehealth?: boolean }) =>
    request<MarkedAppointment>(`${V1}/appointments/${id}`, { method: "PATCH", body: marks }),
  /** The session a break hangs on; queued when offline like the break's own Done. */
  markBreakSession: (reminderId: string, marks: SessionMarks) =>
    write<MarkedAppointment>("PATCH", `${V1}/reminders/${reminderId}/session`, marks, "Session mark"),
  heldTime: (start: string, end: string) => cachedGet<HeldTime[]>(`${V1}/week-ahead/held-time`, { start, end }),
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "Notes open: 3 sessions". */
export function backlogText(backlog: number): string {
  return `Notes open: ${plural(backlog, "session")}`;
}

/** "ran over: 3 of 40 sessions in 28 days". */
export function ranOverText(load: Pick<NotesLoad, "ran_over" | "sessions_ended" | "ran_over_days">): string {
  return `ran over: ${load.ran_over} of ${plural(load.sessions_ended, "session")} in ${load.ran_over_days} days`;
}

/** How a gap is split: "break 2 min, then notes 10 min" (or notes first); null without notes. */
export function gapSplit(
  r: { kind: string; duration_minutes: number; notes_minutes?: number },
  order: NotesOrder = "break_first",
): string | null {
  const notes = r.notes_minutes ?? 0;
  if (notes <= 0) return null;
  const notesPart = `notes ${notes} min`;
  if (r.kind === "notes" || r.duration_minutes <= 0) return notesPart;
  const breakPart = `break ${r.duration_minutes} min`;
  return order === "notes_first" ? `${notesPart}, then ${breakPart}` : `${breakPart}, then ${notesPart}`;
}
