/** Today: the day's sessions as blocks, breaks and rituals between them, and the next break. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Appointment, Reminder } from "../api/models";
import { StaleBanner } from "../components/Banners";
import { useApp } from "../lib/context";
import { flushQueue, QUEUE_EVENT } from "../lib/online";
import { addDays, countdown, dayRange, deviceTimeZone, formatDay, formatTime, localDate } from "../lib/time";
import { BREAK_KINDS, buildTimeline, nextBreak, type TimelineItem } from "../lib/timeline";

const PULL_THRESHOLD = 70;
const SWIPE_THRESHOLD = 60;

interface DayData {
  appointments: Appointment[];
  reminders: Reminder[];
  savedAt: number | null; // set when showing cached data offline
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
};

function ackLabel(r: Reminder): string | null {
  if (r.ack_action === "done") return "Done";
  if (r.ack_action === "skip") return "Skipped";
  if (r.ack_action === "snooze") return "Snoozed";
  return null;
}

function Item({ item, zone }: { item: TimelineItem; zone: string }) {
  if (item.type === "session") {
    const a = item.appointment;
    const minutes = Math.round((item.end - item.at) / 60000);
    return (
      <li class={`block session${item.backToBack ? " b2b" : ""}`} data-testid="session">
        <span class="block-time">{formatTime(a.start, zone)}</span>
        <span class="block-title">
          {a.kind === "session" ? "Session" : "Busy"}
          {a.telehealth ? " · telehealth" : ""}
        </span>
        <span class="block-meta">
          until {formatTime(a.end, zone)} · {minutes} min{item.backToBack ? " · back-to-back" : ""}
        </span>
      </li>
    );
  }
  const r = item.reminder;
  const actionable = BREAK_KINDS.has(r.kind);
  const status = ackLabel(r);
  const body = (
    <>
      <span class="block-time">{formatTime(r.due_at, zone)}</span>
      <span class="block-title">{r.title || KIND_LABELS[r.kind] || "Reminder"}</span>
      <span class="block-meta">
        {KIND_LABELS[r.kind] ?? r.kind}
        {r.duration_minutes ? ` · ${r.duration_minutes} min` : ""}
        {status ? ` · ${status}` : ""}
      </span>
    </>
  );
  return (
    <li class={`block reminder kind-${r.kind}${status ? " acked" : ""}`} data-testid="break">
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

/** A returning user whose phone is now in another zone (travel, DST-free regions) is asked once. */
function ZoneNotice() {
  const { user, setUser, toast } = useApp();
  const device = deviceTimeZone();
  const [hidden, setHidden] = useState(false);
  if (!user || hidden || device === user.timezone) return null;
  const switchZone = async () => {
    try {
      setUser(await api.updateMe({ timezone: device }));
      toast(`Breaks now follow ${device}.`);
    } catch (e) {
      toast((e as Error).message);
    }
  };
  return (
    <div class="banner banner-update" role="status">
      <span>
        Your phone is in {device}; your plan uses {user.timezone}.
      </span>
      <span class="row">
        <button type="button" class="btn btn-small" onClick={switchZone}>
          Use {device}
        </button>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => setHidden(true)}>
          Keep
        </button>
      </span>
    </div>
  );
}

export function Today() {
  const { user } = useApp();
  const zone = user?.timezone ?? "UTC";
  const today = localDate(new Date(), zone);
  const [date, setDate] = useState(today);
  const [data, setData] = useState<DayData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [pull, setPull] = useState(0);
  const touch = useRef<{ x: number; y: number; top: boolean } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    const { start, end } = dayRange(date, zone);
    if (navigator.onLine) await flushQueue().catch(() => null); // send offline edits first
    try {
      const [appointments, reminders] = await Promise.all([
        api.appointments(start, end),
        api.reminders(start, end),
      ]);
      const stale = appointments.stale || reminders.stale;
      setData({
        appointments: appointments.data,
        reminders: reminders.data,
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

  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 30000);
    return () => window.clearInterval(id);
  }, []);

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

  const items = data ? buildTimeline(data.appointments, data.reminders) : [];
  const next = data && date === today ? nextBreak(data.reminders, now) : null;
  const sessions = data?.appointments.filter((a) => a.kind === "session" && !a.all_day) ?? [];
  const isTomorrow = date !== today;

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
      <ZoneNotice />
      <StaleBanner savedAt={data?.savedAt ?? null} />
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
          {sessions.length} session{sessions.length === 1 ? "" : "s"} ·{" "}
          {data.reminders.filter((r) => BREAK_KINDS.has(r.kind)).length} breaks planned
        </p>
      )}
      {data && items.length === 0 && (
        <div class="card empty">
          <p>Nothing on this day yet.</p>
          <p>
            <a class="btn" href="/welcome?step=calendar">
              Connect a calendar
            </a>
          </p>
        </div>
      )}
      <ol class="timeline" aria-label="Timeline">
        {items.map((item) => (
          <Item
            item={item}
            zone={zone}
            key={item.type === "session" ? `s${item.appointment.id}` : `r${item.reminder.id}`}
          />
        ))}
      </ol>
      <p class="hint muted">Swipe left for tomorrow · pull down to refresh</p>
    </section>
  );
}
