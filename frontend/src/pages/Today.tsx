/**
 * Today: the day's sessions as blocks, breaks and rituals between them (with the notes time
 * each gap keeps), held time, the notes backlog, and the next break.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Appointment, Reminder } from "../api/models";
import { pendingWrites, type QueuedWrite } from "../api/queue";
import { StaleBanner } from "../components/Banners";
import { Freshness } from "../components/Freshness";
import { lazy } from "../components/Lazy";
import type { SessionSheetProps } from "../components/SessionSheet";
import { useMinute } from "../lib/clock";
import { useApp } from "../lib/context";
import { dayStatus } from "../lib/day-status";
import { flushQueue, QUEUE_EVENT } from "../lib/online";
import type { TodayNotes } from "../lib/today-notes";
import { addDays, countdown, dayRange, formatDay, formatTime, localDate } from "../lib/time";
import {
  BREAK_KINDS,
  buildTimeline,
  countShown,
  isPast,
  nextBreak,
  nowIndex,
  ritualLabel,
  type TimelineItem,
} from "../lib/timeline";
import { ZoneNotice } from "./ZoneNotice";

// The session sheet loads on first tap: it is not part of the first load.
const SessionSheet = lazy<SessionSheetProps>(() => import("../components/SessionSheet"));
// The delivery check and its banner (with lib/push.ts) come after the first paint.
const DeliveryBanner = lazy<{ zone: string }>(() => import("../components/DeliveryBanner"), true);

const PULL_THRESHOLD = 70;
const SWIPE_THRESHOLD = 60;

interface DayData {
  appointments: Appointment[];
  reminders: Reminder[];
  /** Held time, the notes backlog and the gaps' notes (a lazy chunk; null if it failed). */
  notes: TodayNotes | null;
  savedAt: number | null; // set when showing cached data offline
  pending: Set<string>; // ids of reminders whose ack waits in the offline queue
}

const ACK_PATH = /^\/api\/v1\/reminders\/([^/]+)\/ack$/;

/** Acks waiting in the offline queue, applied to the reminders so the edit shows at once. */
export function applyPending(reminders: Reminder[], writes: QueuedWrite[]): { reminders: Reminder[]; pending: Set<string> } {
  const acks = new Map<string, Reminder["ack_action"]>();
  for (const w of writes) {
    const id = w.method === "POST" ? ACK_PATH.exec(w.path)?.[1] : undefined;
    const action = (w.body as { action?: Reminder["ack_action"] } | undefined)?.action;
    if (id && action) acks.set(decodeURIComponent(id), action);
  }
  return {
    reminders: reminders.map((r) => (acks.has(r.id) ? { ...r, ack_action: acks.get(r.id) ?? null } : r)),
    pending: new Set(acks.keys()),
  };
}

const KIND_LABELS: Record<string, string> = {
  micro_break: "Micro-break",
  transition_ritual: "Transition ritual",
  end_of_day: "End-of-day ritual",
  back_to_back: "Heads-up",
  response_window_open: "Response window opens",
  response_window_close: "Response window closes",
  fixed_break: "Break",
  interval_break: "Break",
  commitment: "Supervision / peer check-in",
  notes: "Notes time",
  wrap_up: "Wrap-up cue",
  notes_backlog: "Open notes",
};

function ackLabel(r: Reminder): string | null {
  if (r.ack_action === "done") return "Done";
  if (r.ack_action === "skip") return "Skipped";
  if (r.ack_action === "snooze") return "Snoozed";
  return null;
}

function Item({
  item,
  zone,
  past,
  pending,
  notes,
  onOpen,
}: {
  item: TimelineItem;
  zone: string;
  past: boolean;
  pending: boolean;
  notes?: TodayNotes | null;
  onOpen: (id: string) => void;
}) {
  const when = past ? " past" : "";
  if (item.type === "held") {
    return (
      <li class={`block held${when}`} data-testid="held">
        <span class="block-time">{formatTime(item.held.start, zone)}</span>
        <span class="block-title">Held time</span>
        <span class="block-meta">
          {item.held.label} · until {formatTime(item.held.end, zone)}
        </span>
      </li>
    );
  }
  if (item.type === "session") {
    const a = item.appointment;
    const minutes = Math.round((item.end - item.at) / 60000);
    const marks = [a.intense ? "intense" : null, a.telehealth ? "telehealth" : null].filter(Boolean);
    return (
      <li class={`block session${item.backToBack ? " b2b" : ""}${when}`} data-testid="session">
        <button type="button" class="block-button" aria-haspopup="dialog" onClick={() => onOpen(a.id)}>
          <span class="block-time">{formatTime(a.start, zone)}</span>
          <span class="block-title">
            {a.kind === "session" ? "Session" : "Busy"}
            {marks.length > 0 && <span data-testid="marks"> · {marks.join(" · ")}</span>}
          </span>
          <span class="block-meta">
            until {formatTime(a.end, zone)} · {minutes} min{item.backToBack ? " · back-to-back" : ""}
          </span>
        </button>
      </li>
    );
  }
  const r = item.reminder;
  const actionable = BREAK_KINDS.has(r.kind) || r.kind === "notes";
  const status = ackLabel(r);
  const ritual = ritualLabel(r);
  const split = notes?.split(r);
  const body = (
    <>
      <span class="block-time">{formatTime(r.due_at, zone)}</span>
      <span class="block-title">{r.title || KIND_LABELS[r.kind] || "Reminder"}</span>
      <span class="block-meta">
        {KIND_LABELS[r.kind] ?? r.kind}
        {split ? <span data-testid="gap-split"> · {split}</span> : r.duration_minutes ? ` · ${r.duration_minutes} min` : ""}
        {status ? ` · ${status}` : ""}
        {ritual && (
          <span class="ritual" data-testid="ritual">
            {" "}
            · {ritual}
          </span>
        )}
        {pending && (
          <span class="pending" data-testid="pending">
            {" "}
            · pending
          </span>
        )}
      </span>
    </>
  );
  return (
    <li class={`block reminder kind-${r.kind}${status ? " acked" : ""}${when}`} data-testid="break">
      {actionable ? (
        <a href={`/break/${r.id}`} class="block-link">
          {body}
        </a>
      ) : (
        body
      )}
    </li>
  );
}

/** "In session until 2:50 PM" · "Next client 2:00 PM · in 8 min": the first thing on screen. */
function StatusHeader({ data, now, zone }: { data: DayData | null; now: number; zone: string }) {
  if (!data) return <div class="status card" aria-hidden="true" />; // space kept: no layout shift
  const status = dayStatus(now, data.appointments, data.reminders, zone);
  return (
    <div class={`status card status-${status.state}`} data-testid="day-status">
      <strong class="status-now">{status.headline}</strong>
      {status.next && <span class="status-next">{status.next}</span>}
    </div>
  );
}

export function Today() {
  const { user } = useApp();
  const zone = user?.timezone ?? "UTC";
  const now = useMinute();
  const today = localDate(new Date(now), zone);
  const [date, setDate] = useState(today);
  const [data, setData] = useState<DayData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [hasCalendar, setHasCalendar] = useState<boolean | null>(null);
  const [pull, setPull] = useState(0);
  const [sheet, setSheet] = useState<string | null>(null);
  const touch = useRef<{ x: number; y: number; top: boolean } | null>(null);
  const nowLine = useRef<HTMLLIElement>(null);
  const scrolled = useRef(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    const { start, end } = dayRange(date, zone);
    if (navigator.onLine) await flushQueue().catch(() => null); // send offline edits first
    try {
      const [appointments, reminders, writes, notes] = await Promise.all([
        api.appointments(start, end),
        api.reminders(start, end),
        pendingWrites().catch(() => [] as QueuedWrite[]),
        import("../lib/today-notes").then((m) => m.readTodayNotes(start, end), () => null),
      ]);
      const stale = appointments.stale || reminders.stale;
      const applied = applyPending(reminders.data, writes);
      setData({
        appointments: appointments.data,
        reminders: applied.reminders,
        notes,
        pending: applied.pending,
        savedAt: stale ? Math.min(appointments.savedAt, reminders.savedAt) : null,
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [date, zone]);

  useEffect(() => {
    load();
    window.addEventListener(QUEUE_EVENT, load);
    return () => window.removeEventListener(QUEUE_EVENT, load);
  }, [load]);

  // Past midnight the page follows the new day (unless the user is looking at tomorrow).
  const lastToday = useRef(today);
  useEffect(() => {
    if (lastToday.current !== today) {
      setDate((d) => (d === lastToday.current ? today : d));
      lastToday.current = today;
    }
  }, [today]);

  const items = data ? buildTimeline(data.appointments, data.reminders, data.notes?.held) : [];
  const isToday = date === today;
  const next = data && isToday ? nextBreak(data.reminders, now) : null;
  const counts = countShown(items);
  const lineAt = isToday && items.length ? nowIndex(items, now) : -1;

  // Only a day without sessions needs to know whether a calendar is connected.
  useEffect(() => {
    if (!data || counts.sessions > 0 || hasCalendar !== null) return;
    api
      .calendars()
      .then((r) => setHasCalendar(r.data.length > 0))
      .catch(() => setHasCalendar(true)); // unknown: do not send them to connect one again
  }, [data, counts.sessions, hasCalendar]);

  // Opened on today: bring the "now" line into view once, under the sticky status header.
  useEffect(() => {
    const line = nowLine.current;
    if (!line || scrolled.current) return;
    scrolled.current = true;
    const rect = line.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight * 0.8) {
      line.scrollIntoView?.({ block: "center" });
    }
  }, [lineAt]);

  const onTouchStart = (e: TouchEvent) => {
    const t = e.touches[0];
    touch.current = { x: t.clientX, y: t.clientY, top: window.scrollY <= 0 };
  };
  const onTouchMove = (e: TouchEvent) => {
    const start = touch.current;
    if (!start?.top) return;
    const dy = e.touches[0].clientY - start.y;
    setPull(dy > 0 ? Math.min(dy, PULL_THRESHOLD * 1.5) : 0);
  };
  const onTouchEnd = (e: TouchEvent) => {
    const start = touch.current;
    touch.current = null;
    setPull(0);
    if (!start) return;
    const t = e.changedTouches[0];
    const dx = t.clientX - start.x;
    const dy = t.clientY - start.y;
    if (Math.abs(dx) > SWIPE_THRESHOLD && Math.abs(dx) > Math.abs(dy) * 1.5) {
      setDate(dx < 0 ? addDays(today, 1) : today);
    } else if (start.top && dy > PULL_THRESHOLD) {
      load();
    }
  };

  const isTomorrow = !isToday;
  const sheetFor = sheet ? data?.appointments.find((a) => a.id === sheet) ?? null : null;
  const timeline = items.map((item) => (
    <Item
      item={item}
      zone={zone}
      past={isToday && isPast(item, now)}
      pending={item.type === "reminder" && Boolean(data?.pending.has(item.reminder.id))}
      notes={data?.notes}
      onOpen={setSheet}
      key={item.type === "session" ? `s${item.appointment.id}` : item.type === "held" ? `h${item.held.id}` : `r${item.reminder.id}`}
    />
  ));
  if (lineAt >= 0) {
    timeline.splice(
      lineAt,
      0,
      <li class="now-line" ref={nowLine} key="now" data-testid="now-line">
        <span>Now · {formatTime(now, zone)}</span>
      </li>,
    );
  }

  return (
    <section
      class="today"
      onTouchStart={onTouchStart}
      onTouchMove={onTouchMove}
      onTouchEnd={onTouchEnd}
      aria-labelledby="today-title"
    >
      <div class="pull" style={{ height: `${pull}px` }} aria-hidden="true">
        {pull > PULL_THRESHOLD ? "Release to refresh" : pull > 0 ? "Pull to refresh" : ""}
      </div>
      <header class="page-head">
        <h1 id="today-title">{isTomorrow ? "Tomorrow" : "Today"}</h1>
        <p class="muted">{formatDay(date, zone)}</p>
      </header>
      {isToday && <StatusHeader data={data} now={now} zone={zone} />}
      <div class="segmented" role="group" aria-label="Day">
        <button type="button" aria-pressed={!isTomorrow} onClick={() => setDate(today)}>
          Today
        </button>
        <button
          type="button"
          aria-pressed={isTomorrow}
          onClick={() => setDate(addDays(today, 1))}
        >
          Tomorrow
        </button>
        <button type="button" onClick={load} disabled={loading} aria-label="Refresh">
          {loading ? "…" : "↻"}
        </button>
      </div>
      <Freshness onChanged={load} />
      <ZoneNotice />
      <StaleBanner savedAt={data?.savedAt ?? null} />
      <DeliveryBanner zone={zone} />
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      {next && (
        <a class="next-break card" href={`/break/${next.id}`} data-testid="next-break">
          <span class="muted">Next break</span>
          <strong>{countdown(Date.parse(next.due_at) - now)}</strong>
          <span>
            {formatTime(next.due_at, zone)} · {next.title}
          </span>
        </a>
      )}
      {data && (
        <p class="summary" data-testid="day-summary">
          {counts.sessions} session{counts.sessions === 1 ? "" : "s"} · {counts.breaks} break
          {counts.breaks === 1 ? "" : "s"} planned
        </p>
      )}
      {isToday && data?.notes?.notes && <data.notes.Backlog notes={data.notes.notes} zone={zone} onChanged={load} />}
      {data && counts.sessions === 0 && (
        <div class="card empty" data-testid="no-sessions">
          <p>No sessions {isToday ? "today" : "on this day"}.</p>
          {hasCalendar === false && (
            <p>
              <a class="btn" href="/welcome?step=calendar">
                Connect a calendar
              </a>
            </p>
          )}
        </div>
      )}
      <ol class="timeline" aria-label="Timeline">
        {timeline}
      </ol>
      <p>
        <a class="btn btn-wide" href="/week" data-testid="week-link">
          The week ahead
        </a>
      </p>
      <p class="hint muted">Swipe left for tomorrow · pull down to refresh · tap a session to mark it</p>
      {sheetFor && data && (
        <SessionSheet
          appointment={sheetFor}
          day={data.appointments}
          zone={zone}
          onClose={() => setSheet(null)}
          onMarked={(marked) => {
            setData((d) =>
              d && { ...d, appointments: d.appointments.map((a) => (a.id === marked.id ? marked : a)) },
            );
            load(); // the reminders were re-planned: the ritual now rides on its break
          }}
        />
      )}
    </section>
  );
}
