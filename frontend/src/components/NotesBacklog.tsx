/**
 * Today's notes backlog: "Notes open: 3 sessions", each with its day and time and a "Notes
 * done" tick (a flag on that occurrence, never text). Shown while the backlog is above zero;
 * loaded only then (not part of the first load).
 */
import { useState } from "preact/hooks";
import { backlogText, marksApi, type NotesLoad } from "../lib/notes";
import { formatTime } from "../lib/time";

export interface NotesBacklogProps {
  notes: NotesLoad;
  zone: string;
  /** A tick was recorded: the page reads the backlog again. */
  onChanged: () => void;
}

function day(iso: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", timeZone: zone }).format(
    new Date(iso),
  );
}

export default function NotesBacklog({ notes, zone, onChanged }: NotesBacklogProps) {
  const [done, setDone] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const open = notes.sessions.filter((s) => !done.has(s.id));
  // Ticked here but still in the answer (the page has not read the backlog again yet).
  const count = Math.max(0, notes.backlog - (notes.sessions.length - open.length));
  if (count === 0) return null;

  const tick = async (id: string) => {
    setError(null);
    setDone((d) => new Set(d).add(id)); // shown at once; put back if the server refuses
    try {
      await marksApi.markSession(id, { notes_done: true });
      onChanged();
    } catch (e) {
      setDone((d) => {
        const next = new Set(d);
        next.delete(id);
        return next;
      });
      setError((e as Error).message);
    }
  };

  return (
    <section class="card notes-backlog" aria-labelledby="backlog-title" data-testid="notes-backlog">
      <h2 id="backlog-title">{backlogText(count)}</h2>
      <p class="muted">Sessions of the last {notes.backlog_days} days without your notes ticked.</p>
      <ul class="plain">
        {open.map((s) => (
          <li class="list-row" key={s.id} data-testid="backlog-session">
            <span class="grow">
              {day(s.start, zone)} · {formatTime(s.start, zone)}–{formatTime(s.end, zone)}
            </span>
            <button
              type="button"
              class="btn btn-small"
              aria-label={`Notes done: ${day(s.start, zone)} ${formatTime(s.start, zone)}`}
              onClick={() => tick(s.id)}
            >
              Notes done
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
