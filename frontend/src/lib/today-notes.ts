/**
 * What Today shows of notes time and the week ahead, loaded as one lazy chunk (Today is the
 * first load, which has no room for it): the day's held time, the notes backlog and its card,
 * and how each gap is split between the break and the notes.
 */
import type { ComponentType } from "preact";
import { api } from "../api/client";
import type { HeldTime, Reminder } from "../api/models";
import NotesBacklog, { type NotesBacklogProps } from "../components/NotesBacklog";
import { gapSplit, notesApi, type NotesLoad } from "./notes";

export interface TodayNotes {
  held: HeldTime[];
  notes: NotesLoad | null;
  /** The backlog card (it shows nothing once the backlog is zero). */
  Backlog: ComponentType<NotesBacklogProps>;
  /** "break 2 min, then notes 10 min" for a reminder whose gap keeps notes time, else null. */
  split: (r: Reminder) => string | null;
}

/** Reads the day's held time and the notes backlog; each may fail alone (shown without). */
export async function readTodayNotes(start: string, end: string): Promise<TodayNotes> {
  const [held, notes] = await Promise.all([
    notesApi.heldTime(start, end).then((r) => r.data, () => []),
    notesApi.load().then((r) => r.data, () => null),
  ]);
  // The order of break and notes is the care plan's (read only while notes time is on).
  const order = notes?.enabled
    ? await api.carePlan().then((p) => p.data.settings.notes_order, () => undefined)
    : undefined;
  return { held, notes, Backlog: NotesBacklog, split: (r) => gapSplit(r, order) };
}
