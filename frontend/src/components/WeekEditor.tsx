/** Response-window week editor: tap a day's "Add" to add a window, tap × to remove one. */
import { useEffect, useState } from "preact/hooks";
import type { ResponseWindowCreate } from "../api/models";
import { formatClock, hhmm } from "../lib/time";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

interface Props {
  windows: ResponseWindowCreate[];
  onSave: (windows: ResponseWindowCreate[]) => Promise<boolean> | void;
}

function normalise(windows: ResponseWindowCreate[]): ResponseWindowCreate[] {
  return windows
    .map((w) => ({ weekday: w.weekday, start_time: hhmm(w.start_time), end_time: hhmm(w.end_time) }))
    .sort((a, b) => a.weekday - b.weekday || a.start_time.localeCompare(b.start_time));
}

export function WeekEditor({ windows, onSave }: Props) {
  const [draft, setDraft] = useState(() => normalise(windows));
  const [adding, setAdding] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(normalise(windows)), [windows]);

  const dirty = JSON.stringify(draft) !== JSON.stringify(normalise(windows));

  const add = (event: Event, weekday: number) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const start = String(form.get("start"));
    const end = String(form.get("end"));
    if (!start || !end || start >= end) {
      setError("The window must end after it starts.");
      return;
    }
    setError(null);
    setDraft(normalise([...draft, { weekday, start_time: start, end_time: end }]));
    setAdding(null);
  };

  return (
    <div class="week" data-testid="week-editor">
      {WEEKDAYS.map((day, weekday) => {
        const mine = draft.filter((w) => w.weekday === weekday);
        return (
          <div class="week-day" key={day}>
            <span class="week-name">{day.slice(0, 3)}</span>
            <div class="chips">
              {mine.map((w) => (
                <button
                  type="button"
                  class="chip"
                  key={`${w.start_time}`}
                  onClick={() => setDraft(draft.filter((x) => x !== w))}
                >
                  <span class="sr-only">Remove {day} </span>
                  {formatClock(w.start_time)}–{formatClock(w.end_time)} <span aria-hidden="true">×</span>
                </button>
              ))}
              {adding === weekday ? (
                <form class="row" onSubmit={(e) => add(e, weekday)}>
                  <label class="sr-only" for={`ws-${weekday}`}>
                    {day} start
                  </label>
                  <input id={`ws-${weekday}`} name="start" type="time" value="09:00" required />
                  <label class="sr-only" for={`we-${weekday}`}>
                    {day} end
                  </label>
                  <input id={`we-${weekday}`} name="end" type="time" value="09:30" required />
                  <button type="submit" class="btn btn-small">
                    Add
                  </button>
                </form>
              ) : (
                <button
                  type="button"
                  class="chip chip-add"
                  onClick={() => setAdding(weekday)}
                >
                  <span aria-hidden="true">+ </span>Add<span class="sr-only"> a window on {day}</span>
                </button>
              )}
            </div>
          </div>
        );
      })}
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="btn" disabled={!dirty} onClick={() => onSave(draft)}>
        Save week
      </button>
    </div>
  );
}
