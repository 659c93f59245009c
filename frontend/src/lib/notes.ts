/**
 * Notes time and ending on time (issue 21): the reads and writes the screens share (the notes
 * backlog, held time, marks on one session occurrence) and the words they show. Marks are
 * flags, never text. Only lazy chunks import this (Today through `today-notes.ts`).
 */
import { cachedGet, request, write } from "../api/client";
import type { Appointment, HeldTime } from "../api/models";
import type { components } from "../api/types";

const V1 = "/api/v1";

type Schemas = components["schemas"];

/** The notes backlog and how often sessions ran over (`GET /wellbeing/notes`). */
export type NotesLoad = Schemas["NotesLoadRead"];

export type NotesOrder = "break_first" | "notes_first";

export const notesApi = {
  load: () => cachedGet<NotesLoad>(`${V1}/wellbeing/notes`),
  heldTime: (start: string, end: string) => cachedGet<HeldTime[]>(`${V1}/week-ahead/held-time`, { start, end }),
};

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

/** The two marks `PATCH /reminders/{id}/session` sets: send only the one that changes. */
export type SessionMarks = Partial<Pick<Schemas["ReminderSessionUpdate"], "notes_done" | "ran_over">>;

export const marksApi = {
  /** Any marks on one occurrence (intense and telehealth too): PATCH /appointments/{id}. */
  markSession: (id: string, marks: SessionMarks & { intense?: boolean; telehealth?: boolean }) =>
    request<Appointment>(`${V1}/appointments/${id}`, { method: "PATCH", body: marks }),
  /** The session a break hangs on; queued when offline like the break's own Done. */
  markBreakSession: (reminderId: string, marks: SessionMarks) =>
    write<Appointment>("PATCH", `${V1}/reminders/${reminderId}/session`, marks, "Session mark"),
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

