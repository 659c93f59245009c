/**
 * The week ahead: the coming 7 days at a glance, where breaks will not fit, and one tap to
 * hold the time a suggestion names. The API sends instants and facts; every sentence with a
 * time in it is worded here, with Intl, in the user's zone and 12/24-hour style.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type {
  CalendarChoice,
  HeldCalendar,
  HeldTime,
  Suggestion,
  WeekAhead,
  WeekAheadSettings,
  WeekDay,
} from "../api/models";
import { WEEKDAYS } from "../components/WeekEditor";
import { useApp } from "../lib/context";
import { formatLocalDate, formatTime, hhmm } from "../lib/time";

const KIND_NAMES: Record<string, string> = {
  supervision: "Supervision",
  peer: "Peer consultation",
  personal_therapy: "Personal therapy",
};

function weekday(iso: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: "long", timeZone: zone }).format(new Date(iso));
}

function span(start: string, end: string, zone: string): string {
  return `${formatTime(start, zone)}–${formatTime(end, zone)}`;
}

/** The reason for a suggestion, as a sentence: "Tuesday 1:00–4:35 PM has 4 sessions in a
 * row: a 10-minute buffer after the 3:45 PM session gives you a break." */
export function reason(s: Suggestion, zone: string): string {
  const day = weekday(s.stretch_start, zone);
  const anchor = formatTime(s.anchor_start, zone);
  const where =
    s.position === "after"
      ? `a 10-minute buffer after the ${anchor} session`
      : `10 minutes before the ${anchor} session`;
  if (s.kind === "back_to_back") {
    return `${day} ${span(s.stretch_start, s.stretch_end, zone)} has ${s.session_count} sessions in a row: ${where} gives you a break.`;
  }
  const from = `from ${formatTime(s.stretch_start, zone)} to ${formatTime(s.stretch_end, zone)}`;
  return `${day} has no break of 10 minutes ${from}: ${where} gives you one.`;
}

function SuggestionCard({
  s,
  zone,
  busy,
  onHold,
  onRelease,
}: {
  s: Suggestion;
  zone: string;
  busy: boolean;
  onHold: (s: Suggestion) => void;
  onRelease: (id: string) => void;
}) {
  const held = s.held_id;
  return (
    <li class="card suggestion" data-testid="suggestion" data-held={held ? "true" : "false"}>
      <p>{reason(s, zone)}</p>
      {s.expected_notes_backlog > 0 && <p>{notesBacklogText(s.expected_notes_backlog)} in this stretch.</p>}
      <p class="muted">
        {held ? "Held" : "Hold"} {weekday(s.start, zone)} {span(s.start, s.end, zone)}
      </p>
      {held ? (
        <p>
          <span class="badge" data-testid="held-badge">
            ✓ Held as “Break (Interlude)”
          </span>{" "}
          <button type="button" class="btn btn-small btn-ghost" disabled={busy} onClick={() => onRelease(held)}>
            Release
          </button>
        </p>
      ) : (
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => onHold(s)}>
          Hold this time
        </button>
      )}
    </li>
  );
}

/** "Notes will not fit after 2 sessions": their gaps cannot hold your notes time. */
export function notesBacklogText(n: number): string {
  return `Notes will not fit after ${n} session${n === 1 ? "" : "s"}`;
}

function Day({ day, zone, busy, onRelease }: {
  day: WeekDay;
  zone: string;
  busy: boolean;
  onRelease: (id: string) => void;
}) {
  return (
    <li class="card ahead-day" data-testid="week-day">
      <h3>{formatLocalDate(day.date)}</h3>
      {day.time_off && <p class="badge">Time off</p>}
      <p>
        {day.session_count === 0
          ? "No sessions"
          : `${day.session_count} session${day.session_count === 1 ? "" : "s"}`}
        {day.first_session_start && day.last_session_end
          ? ` · ${span(day.first_session_start, day.last_session_end, zone)}`
          : ""}
      </p>
      {day.no_break && <p class="notice">No break of 10 minutes or more between sessions.</p>}
      {day.expected_notes_backlog > 0 && (
        <p data-testid="day-notes-backlog">{notesBacklogText(day.expected_notes_backlog)}</p>
      )}
      {day.runs.map((r) => (
        <p key={r.start} class="muted">
          Back to back: {r.session_count} sessions, {span(r.start, r.end, zone)}
        </p>
      ))}
      {day.commitments.map((c) => (
        <p key={c.start}>
          {c.label || KIND_NAMES[c.kind] || c.kind} · {span(c.start, c.end, zone)}
        </p>
      ))}
      {day.held.map((h: HeldTime) => (
        <p key={h.id} data-testid="held">
          Break (Interlude) · {span(h.start, h.end, zone)}{" "}
          <button type="button" class="btn btn-small btn-ghost" disabled={busy} onClick={() => onRelease(h.id)}>
            Release
          </button>
        </p>
      ))}
    </li>
  );
}

function ReviewSetting({ settings, onSaved }: { settings: WeekAheadSettings; onSaved: () => void }) {
  const { toast } = useApp();
  const [error, setError] = useState<string | null>(null);
  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError(null);
    try {
      await api.updateWeekAheadSettings({
        enabled: form.get("enabled") === "on",
        weekday: Number(form.get("weekday")),
        time: String(form.get("time")),
      });
      toast("Saved.");
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="review-title">
      <h2 id="review-title">Weekly review</h2>
      <p class="muted">A notification on this day and time, in your own time zone.</p>
      <label class="check">
        <input type="checkbox" name="enabled" checked={settings.enabled} /> Send it
      </label>
      <div class="row">
        <div class="field">
          <label for="review-day">Day</label>
          <select id="review-day" name="weekday">
            {WEEKDAYS.map((d, i) => (
              <option value={i} key={d} selected={i === settings.weekday}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="review-time">Time</label>
          <input id="review-time" name="time" type="time" value={hhmm(settings.time)} required />
        </div>
      </div>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="btn">
        Save
      </button>
    </form>
  );
}

function CalendarChoiceRow({ target, onChanged }: { target: HeldCalendar; onChanged: () => void }) {
  const [choices, setChoices] = useState<CalendarChoice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    setError(null);
    api.heldCalendarChoices(target.source_id).then(setChoices).catch((e) => setError((e as Error).message));
  };
  const choose = async (value: string) => {
    setError(null);
    try {
      await api.chooseHeldCalendar(target.source_id, value || null);
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const id = `held-cal-${target.source_id}`;
  return (
    <div class="field">
      <label for={id}>{target.source_name}: write held time to</label>
      {choices ? (
        <select id={id} value={target.calendar ?? ""} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
          <option value="">Nowhere (off)</option>
          {choices.map((c) => (
            <option value={c.path} key={c.path}>
              {c.name}
            </option>
          ))}
        </select>
      ) : (
        <button id={id} type="button" class="btn btn-small" onClick={load}>
          {target.calendar ? "Change calendar" : "Choose a calendar"}
        </button>
      )}
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export default function WeekAheadScreen() {
  const { user, toast } = useApp();
  const zone = user?.timezone ?? "UTC";
  const [week, setWeek] = useState<WeekAhead | null>(null);
  const [settings, setSettings] = useState<WeekAheadSettings | null>(null);
  const [targets, setTargets] = useState<HeldCalendar[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api.weekAhead().then(setWeek).catch((e) => setError((e as Error).message));
    api.weekAheadSettings().then(setSettings).catch(() => undefined);
    api.heldCalendars().then(setTargets).catch(() => undefined);
  }, []);
  useEffect(load, [load]);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      toast(done);
      load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const hold = (s: Suggestion) =>
    act(() => api.holdTime(s.start, s.end), "Held. It is in your breaks calendar now.");
  const release = (id: string) => act(() => api.releaseTime(id), "Released.");

  return (
    <section aria-labelledby="week-title">
      <header class="page-head">
        <h1 id="week-title">The week ahead</h1>
        {week && (
          <p class="muted">
            {formatLocalDate(week.first_day)} – {formatLocalDate(week.last_day)}
          </p>
        )}
      </header>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      {!week && !error && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {week && (
        <>
          <p class="summary" data-testid="week-summary">
            {week.totals.sessions} session{week.totals.sessions === 1 ? "" : "s"} ·{" "}
            {week.totals.back_to_back_runs} back-to-back run{week.totals.back_to_back_runs === 1 ? "" : "s"} ·{" "}
            {week.totals.days_without_break} day{week.totals.days_without_break === 1 ? "" : "s"} without a
            10-minute break
            {week.totals.commitments ? ` · ${week.totals.commitments} commitment${week.totals.commitments === 1 ? "" : "s"}` : ""}
          </p>
          {week.totals.expected_notes_backlog > 0 && (
            <p class="notice" data-testid="week-notes-backlog">
              {notesBacklogText(week.totals.expected_notes_backlog)} this week: the gaps after them cannot
              hold your notes time, so expect that many notes to wait.
            </p>
          )}
          <h2>Suggestions</h2>
          {week.suggestions.length === 0 ? (
            <p class="muted" data-testid="no-suggestions">
              Every working day has a break of 10 minutes or more. Nothing to hold.
            </p>
          ) : (
            <ul class="plain">
              {week.suggestions.map((s) => (
                <SuggestionCard key={s.id} s={s} zone={zone} busy={busy} onHold={hold} onRelease={release} />
              ))}
            </ul>
          )}
          <h2>Day by day</h2>
          <ul class="plain">
            {week.days.map((d) => (
              <Day key={d.date} day={d} zone={zone} busy={busy} onRelease={release} />
            ))}
          </ul>
          {week.time_off.length > 0 && (
            <>
              <h2>Time off coming up</h2>
              <ul>
                {week.time_off.map((t) => (
                  <li key={`${t.start_date}-${t.end_date}`}>
                    {formatLocalDate(t.start_date)}
                    {t.end_date !== t.start_date ? ` – ${formatLocalDate(t.end_date)}` : ""}
                    {t.label ? ` · ${t.label}` : ""}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {targets.length > 0 && (
        <div class="card">
          <h2>Held time in your calendar</h2>
          <p class="muted">
            Held time is always in your private breaks feed. For a CalDAV calendar, Interlude can also
            write each hold as “Break (Interlude)”, and nothing else, into a calendar you choose.
          </p>
          {targets.map((t) => (
            <CalendarChoiceRow key={t.source_id} target={t} onChanged={load} />
          ))}
        </div>
      )}
      {settings && <ReviewSetting settings={settings} onSaved={load} />}
    </section>
  );
}
