/** Well-being: a 20-second check-in, trends, and gentle early-warning nudges. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { WellbeingSettings, WellbeingSummary } from "../api/models";
import { FormError } from "../components/Form";
import { LineChart } from "../components/LineChart";
import { pendingWrites, type QueuedWrite } from "../api/queue";
import { useApp } from "../lib/context";
import { QUEUE_EVENT } from "../lib/online";
import { backlogText, notesApi, ranOverText, type NotesLoad } from "../lib/notes";
import { deviceTimeZone, formatTime } from "../lib/time";
import { CheckinHistory, ENERGY_ANCHORS, ExportLinks, PrivacyNote } from "./WellbeingHistory";
import { MonthInReview, MonthlySelfCheck, WeeklyReview } from "./WellbeingReviews";

const DEFAULT_WORDS = ["calm", "content", "grateful", "tired", "drained", "anxious", "irritable", "overwhelmed"];

/** A 1..max scale whose ends say what they mean ("1 = running on empty"). */
function Scale({ name, label, max, low, high, value, onChange }: { name: string; label: string; max: number; low: string; high: string; value: number | null; onChange: (v: number) => void }) {
  const anchor = (n: number) => (n === 1 ? ` (${low})` : n === max ? ` (${high})` : "");
  return (
    <fieldset class="scale" aria-describedby={`${name}-anchors`}>
      <legend>{label}</legend>
      <div class="chips">
        {Array.from({ length: max }, (_, i) => i + 1).map((n) => (
          <button type="button" class="chip chip-num" aria-pressed={value === n} aria-label={`${label} ${n} of ${max}${anchor(n)}`} onClick={() => onChange(n)} key={`${name}${n}`}>
            {n}
          </button>
        ))}
      </div>
      <p class="anchors muted" id={`${name}-anchors`} data-testid={`${name}-anchors`}>
        <span>1 = {low}</span>
        <span>
          {max} = {high}
        </span>
      </p>
    </fieldset>
  );
}

function YesNo({ label, value, onChange }: { label: string; value: boolean | null; onChange: (v: boolean) => void }) {
  return (
    <fieldset class="scale">
      <legend>{label}</legend>
      <div class="chips">
        <button type="button" class="chip" aria-pressed={value === true} onClick={() => onChange(true)}>
          Yes
        </button>
        <button type="button" class="chip" aria-pressed={value === false} onClick={() => onChange(false)}>
          No
        </button>
      </div>
    </fieldset>
  );
}

/** Check-ins made offline, shown at once (marked pending) until the queue sends them. */
function PendingCheckins({ version }: { version: number }) {
  const [waiting, setWaiting] = useState<QueuedWrite[]>([]);
  useEffect(() => {
    const read = () =>
      pendingWrites()
        .then((all) => setWaiting(all.filter((w) => w.method === "POST" && w.path === "/api/v1/wellbeing/checkins")))
        .catch(() => undefined);
    read();
    window.addEventListener(QUEUE_EVENT, read);
    return () => window.removeEventListener(QUEUE_EVENT, read);
  }, [version]);
  if (!waiting.length) return null;
  return (
    <ul class="history" data-testid="pending-checkins">
      {waiting.map((w) => {
        const body = w.body as { energy?: number; emotions?: string[] };
        return (
          <li key={w.id}>
            {formatTime(w.queuedAt, deviceTimeZone())} · energy {body.energy}
            {body.emotions?.length ? ` · ${body.emotions.join(", ")}` : ""}{" "}
            <span class="pending" data-testid="pending">
              pending
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function CheckIn({ settings, onSaved }: { settings: WellbeingSettings | null; onSaved: () => void }) {
  const { toast } = useApp();
  const [saved, setSaved] = useState(0);
  const [energy, setEnergy] = useState<number | null>(null);
  const [emotions, setEmotions] = useState<string[]>([]);
  const [sleep, setSleep] = useState<number | null>(null);
  const [moved, setMoved] = useState<boolean | null>(null);
  const [connected, setConnected] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const words = settings?.emotion_words ?? DEFAULT_WORDS;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (energy === null) {
      setError("Choose your energy from 1 to 10; everything else is optional.");
      return;
    }
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      const result = await api.createCheckin({
        energy,
        emotions,
        sleep_quality: sleep,
        moved,
        connected,
        insight: String(form.get("insight") ?? "") || null,
        gratitude: String(form.get("gratitude") ?? "") || null,
      });
      toast(result.queued ? "Check-in saved on this phone; sent when online." : "Thanks for checking in.");
      setEnergy(null);
      setEmotions([]);
      setSleep(null);
      setMoved(null);
      setConnected(null);
      (event.currentTarget as HTMLFormElement | null)?.reset();
      setError(null);
      setSaved((n) => n + 1);
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <form class="card stack" onSubmit={submit} aria-labelledby="checkin-title">
      <h2 id="checkin-title">How are you, right now?</h2>
      <Scale name="energy" label="Energy" max={10} low={ENERGY_ANCHORS.low} high={ENERGY_ANCHORS.high} value={energy} onChange={setEnergy} />
      <fieldset class="scale">
        <legend>Feeling</legend>
        <div class="chips">
          {words.map((w) => (
            <button
              type="button"
              class="chip"
              aria-pressed={emotions.includes(w)}
              onClick={() => setEmotions(emotions.includes(w) ? emotions.filter((x) => x !== w) : [...emotions, w])}
              key={w}
            >
              {w}
            </button>
          ))}
        </div>
      </fieldset>
      <Scale name="sleep" label="Sleep quality" max={5} low="very poor sleep" high="slept very well" value={sleep} onChange={setSleep} />
      <YesNo label="Moved or exercised today" value={moved} onChange={setMoved} />
      <YesNo label="Connected with someone outside work" value={connected} onChange={setConnected} />
      <details class="details">
        <summary>Add an insight or a gratitude (optional)</summary>
        <PrivacyNote text={settings?.privacy_reminder} id="checkin-privacy" />
        <div class="field">
          <label for="insight">One insight</label>
          <textarea id="insight" name="insight" rows={2} maxLength={1000} aria-describedby="checkin-privacy" />
        </div>
        <div class="field">
          <label for="gratitude">One gratitude</label>
          <textarea id="gratitude" name="gratitude" rows={2} maxLength={1000} aria-describedby="checkin-privacy" />
        </div>
      </details>
      <FormError error={error} />
      <button type="submit" class="btn btn-primary btn-wide">
        Save check-in
      </button>
      <PendingCheckins version={saved} />
    </form>
  );
}

/** The notes backlog and how often sessions ran over, beside the other load indicators. */
export function NotesAndRunningOver({ notes }: { notes: NotesLoad }) {
  const share = notes.sessions_ended ? Math.round((100 * notes.ran_over) / notes.sessions_ended) : null;
  return (
    <section class="card" aria-labelledby="notes-load-title" data-testid="notes-load">
      <h2 id="notes-load-title">Notes and running over</h2>
      <ul class="compact">
        <li data-testid="notes-load-backlog">
          {notes.enabled ? (
            <>
              {backlogText(notes.backlog)} (last {notes.backlog_days} days)
            </>
          ) : (
            <>
              Notes time is off. <a href="/care-plan">Turn it on in your care plan</a> to follow your notes backlog.
            </>
          )}
        </li>
        <li data-testid="notes-load-ran-over">
          Sessions {ranOverText(notes)}
          {share !== null ? ` (${share} %)` : ""}
        </li>
      </ul>
    </section>
  );
}

function Muted({ summary, onUnmute }: { summary: WellbeingSummary; onUnmute: (code: string) => void }) {
  const muted = Object.entries(summary.muted_signals);
  if (!muted.length) return null;
  return (
    <section class="card" aria-labelledby="muted-title">
      <h2 id="muted-title">Muted nudges</h2>
      <ul class="history">
        {muted.map(([code, until]) => (
          <li key={code} class="row">
            <span>
              {code.replace(/_/g, " ")}
              {until ? ` (until ${until})` : ""}
            </span>
            <button type="button" class="btn btn-small btn-ghost" onClick={() => onUnmute(code)} aria-label={`Unmute ${code.replace(/_/g, " ")}`}>
              Unmute
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Trends({ summary, onMute }: { summary: WellbeingSummary; onMute: (url: string) => void }) {
  const { days, weeks } = summary.chart;
  const labels = days.dates.map((d) => d.slice(5));
  const weekLabels = weeks.week_starts.map((d) => `wk ${d.slice(5)}`);
  return (
    <>
      {summary.signals.map((s) => (
        <section class="card signal" key={s.code} aria-label={s.title}>
          <h3>{s.title}</h3>
          <p>{s.detail}</p>
          <p>
            <strong>{s.nudge}</strong>
          </p>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => onMute(s.mute_url)}>
            Mute this nudge
          </button>
        </section>
      ))}
      <section class="card" aria-labelledby="trends-title" data-testid="trends">
        <h2 id="trends-title">{summary.period === "month" ? "This month" : "This week"}: trends</h2>
        <p class="muted">
          {summary.start} to {summary.end}
        </p>
        <LineChart
          title="Energy (1–10) and its 7-day average"
          labels={labels}
          max={10}
          series={[
            { label: "Energy", values: days.energy, className: "s1" },
            { label: "7-day average", values: days.energy_avg7, className: "s2" },
          ]}
        />
        <LineChart
          title="Breaks taken and planned"
          labels={labels}
          series={[
            { label: "Planned", values: days.breaks_planned, className: "s3", type: "bar" },
            { label: "Taken", values: days.breaks_taken, className: "s1", type: "bar" },
          ]}
        />
        <LineChart
          title="Sessions per week"
          labels={weekLabels}
          series={[
            { label: "Sessions", values: weeks.sessions, className: "s2", type: "bar" },
            { label: "Your weekly limit", values: weeks.caseload_limit, className: "s3" },
          ]}
        />
        <LineChart
          title="Breaks taken and planned, per week"
          labels={weekLabels}
          series={[
            { label: "Planned", values: weeks.breaks_planned, className: "s3", type: "bar" },
            { label: "Taken", values: weeks.breaks_taken, className: "s1", type: "bar" },
          ]}
        />
        <LineChart
          title="Warning signs per week (from your weekly review)"
          labels={weekLabels}
          max={12}
          series={[{ label: "Warning signs ticked", values: weeks.warning_signs, className: "s4", type: "bar" }]}
        />
        {summary.correlations.length > 0 && (
          <>
            <h3>What the data shows</h3>
            <ul>
              {summary.correlations.map((c, i) => (
                <li key={i}>{c.sentence}</li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}

export default function Wellbeing() {
  const { toast } = useApp();
  const [period, setPeriod] = useState<"week" | "month">("week");
  const [summary, setSummary] = useState<WellbeingSummary | null>(null);
  const [notes, setNotes] = useState<NotesLoad | null>(null);
  const [settings, setSettings] = useState<WellbeingSettings | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    // Together, so the notes card does not push the sections below it down when it arrives.
    Promise.all([api.wellbeingSummary(period), notesApi.load().then((r) => r.data, () => null)])
      .then(([s, n]) => {
        setNotes(n);
        setSummary(s);
      })
      .catch((e) => setError((e as Error).message));
  }, [period]);
  // Settings first, then the summary: both create the user's well-being defaults on first use.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    api
      .wellbeingSettings()
      .then(setSettings)
      .catch(() => undefined)
      .finally(() => setReady(true));
  }, []);
  useEffect(() => {
    if (ready) load();
  }, [ready, load]);

  const mute = async (url: string) => {
    try {
      await api.muteSignal(url);
      toast("Muted. You can unmute it later from here.");
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const unmute = async (code: string) => {
    try {
      await api.unmuteSignal(code);
      toast("Unmuted.");
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const head = (
    <header class="page-head">
      <h1 id="wb-title">Well-being</h1>
      <p class="muted">Twenty seconds, whenever you like. No streaks, no guilt.</p>
    </header>
  );
  // The screen appears once the settings (the check-in's words) and the first summary are
  // here: arriving later, they re-wrapped the chips and pushed the sections below down
  // (Lighthouse CLS 0.07).
  if (!ready || (!summary && !error)) {
    return (
      <section aria-labelledby="wb-title">
        {head}
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="wb-title">
      {head}
      <CheckIn settings={settings} onSaved={load} />
      <div class="segmented" role="group" aria-label="Period">
        <button type="button" aria-pressed={period === "week"} onClick={() => setPeriod("week")}>
          This week
        </button>
        <button type="button" aria-pressed={period === "month"} onClick={() => setPeriod("month")}>
          This month
        </button>
      </div>
      <FormError error={error} />
      {summary && <Trends summary={summary} onMute={mute} />}
      {notes && <NotesAndRunningOver notes={notes} />}
      {summary?.period === "month" && <MonthInReview summary={summary} />}
      {summary && <Muted summary={summary} onUnmute={unmute} />}
      <WeeklyReview settings={settings} onSaved={load} />
      <MonthlySelfCheck />
      <CheckinHistory settings={settings} onChanged={load} />
      <ExportLinks />
    </section>
  );
}
