/**
 * Break: the ritual the break carries first (its steps, a timer as long as the ritual), then a
 * guided exercise, and Done / Snooze 5 / Skip posted as the ack. Done is offered only once the
 * break has begun (the server refuses it earlier); a break already acted on says so.
 * A break that keeps notes time has a notes segment after it (or before it: the care plan's
 * order), with its own timer, "Notes done" and a one-tap "Ran over" for the session it follows.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AckAction, Appointment, Reminder } from "../api/models";
import { useMinute } from "../lib/clock";
import { useApp } from "../lib/context";
import { nextSession } from "../lib/day-status";
import {
  BREAK_SECONDS,
  EXERCISES,
  exerciseFor,
  phaseAt,
  type Breathing,
  type Exercise,
} from "../lib/exercises";
import { marksApi, type NotesOrder, type SessionMarks } from "../lib/notes";
import { navigate } from "../lib/router";
import { duration, formatTime } from "../lib/time";

/** The planner writes "Next session in 2 hours 10 minutes." once; the screen says it live instead. */
export function withoutFixedRoom(body: string): string {
  return body.replace(/\s*Next session in [^.]*\./g, "").trim();
}

const ACK_WORDS = { done: "Done", skip: "Skipped", snooze: "Snoozed" } as const;

const VIBRATE_KEY = "interlude.vibrate";
const RITUAL_KINDS = new Set(["transition_ritual", "end_of_day"]);

/** The notes segment's length in seconds. */
export function notesSeconds(minutes: number): number {
  return Math.max(1, minutes) * 60;
}

/** The ritual's own length in seconds: its minutes, else (older rows) the reminder's. */
export function ritualSeconds(r: Pick<Reminder, "ritual_minutes" | "duration_minutes">): number {
  return Math.max(1, r.ritual_minutes || r.duration_minutes || 1) * 60;
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function reducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

function BreathingGuide({ exercise, elapsed, vibrate }: { exercise: Breathing; elapsed: number; vibrate: boolean }) {
  const { index, remaining } = phaseAt(exercise, elapsed);
  const phase = exercise.phases[index];
  useEffect(() => {
    if (vibrate && "vibrate" in navigator) navigator.vibrate(40);
  }, [index, vibrate]);
  const still = reducedMotion();
  // The shape starts small and grows into the first "Breathe in" like every later cycle
  // (set at once, the first scale would apply with no transition from anything).
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setReady(true), 30);
    return () => window.clearTimeout(timer);
  }, []);
  return (
    <div class="breath">
      <div
        class="breath-shape"
        data-phase={index}
        aria-hidden="true"
        style={
          still
            ? undefined
            : {
                transform: `scale(${ready ? phase.scale : 1})`,
                transitionDuration: `${ready ? phase.seconds : 0}s`,
              }
        }
      />
      <p class="breath-label" aria-live="polite">
        {phase.label}
      </p>
      <p class="breath-count" aria-hidden="true">
        {remaining}
      </p>
    </div>
  );
}

function Cards({ exercise }: { exercise: Exercise & { kind: "card" } }) {
  return (
    <ol class="steps">
      {exercise.steps.map((step) => (
        <li key={step}>{step}</li>
      ))}
    </ol>
  );
}

export default function BreakScreen({ id }: { id: string }) {
  const { toast, user } = useApp();
  const zone = user?.timezone ?? "UTC";
  const now = useMinute();
  const [upcoming, setUpcoming] = useState<Appointment[]>([]);
  const [reminder, setReminder] = useState<Reminder | null>(null);
  const [choice, setChoice] = useState<keyof typeof EXERCISES>("box_breathing");
  const [elapsed, setElapsed] = useState(0);
  const [running, setRunning] = useState(true);
  // A break that carries a ritual starts with it; the exercise follows. Notes time comes after
  // the break, or first with the "notes first" order.
  const [phase, setPhase] = useState<"ritual" | "exercise" | "notes">("exercise");
  const [order, setOrder] = useState<NotesOrder>("break_first");
  const [marks, setMarks] = useState<SessionMarks>({});
  const [vibrate, setVibrate] = useState(() => localStorage.getItem(VIBRATE_KEY) === "1");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The screen appears once the reminder and the day have been read (or failed to be): built
  // piecemeal, the ritual, the "not yet" card and the next session pushed everything down
  // (layout shift 0.25 on a phone).
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    setSettled(false);
    const reading = api
      .reminder(id)
      .then(async (r) => {
        const notesFirst =
          r.kind === "notes" ||
          (r.notes_minutes > 0 &&
            (await api.carePlan().then((p) => p.data.settings.notes_order, () => undefined)) === "notes_first");
        setOrder(notesFirst ? "notes_first" : "break_first");
        setReminder(r);
        setChoice(exerciseFor(r.activity));
        if (notesFirst) setPhase("notes");
        else if (r.ritual_steps.length > 0) setPhase("ritual");
        setElapsed(0);
        setRunning(true);
      })
      .catch(() => undefined); // offline or gone: the exercise still works
    // The next session, for a live "Next session in …" (the cached answer works offline).
    const from = Date.now() - 12 * 3600000;
    const day = api
      .appointments(new Date(from).toISOString(), new Date(from + 36 * 3600000).toISOString())
      .then((r) => setUpcoming(r.data))
      .catch(() => undefined);
    void Promise.all([reading, day]).then(() => setSettled(true));
  }, [id]);

  const notesMinutes = reminder ? reminder.notes_minutes || (reminder.kind === "notes" ? reminder.duration_minutes : 0) : 0;
  const total =
    phase === "notes" ? notesSeconds(notesMinutes) : phase === "ritual" && reminder ? ritualSeconds(reminder) : BREAK_SECONDS;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      setElapsed((s) => {
        if (s + 1 >= total) setRunning(false);
        return Math.min(s + 1, total);
      });
    }, 1000);
    return () => window.clearInterval(timer);
  }, [running, total]);

  const toPhase = (next: typeof phase) => {
    setPhase(next);
    setElapsed(0);
    setRunning(true);
  };
  const toExercise = () => toPhase("exercise");
  // One segment's timer ran out: on to the other (the break after notes, notes after the break).
  const finished = reminder !== null && notesMinutes > 0 && elapsed > 0 && elapsed >= total;
  useEffect(() => {
    if (!finished || !reminder || (reminder.kind === "notes" && !reminder.ritual_steps.length)) return;
    if (phase === "exercise" && order === "break_first") toPhase("notes");
    else if (phase === "notes" && order === "notes_first") toPhase(reminder.ritual_steps.length > 0 ? "ritual" : "exercise");
  }, [finished]);

  /** "Notes done" / "Ran over" on the session this break follows (a flag, never text). */
  const markSession = async (name: keyof SessionMarks) => {
    const value = !marks[name];
    setError(null);
    setMarks((m) => ({ ...m, [name]: value }));
    try {
      const result = await marksApi.markBreakSession(id, { [name]: value });
      if (result.queued) toast("Saved; it will be sent when you are back online.");
    } catch (e) {
      setMarks((m) => ({ ...m, [name]: !value }));
      setError((e as Error).message);
    }
  };

  const toggleVibrate = () => {
    const next = !vibrate;
    setVibrate(next);
    localStorage.setItem(VIBRATE_KEY, next ? "1" : "0");
  };

  const ack = async (action: AckAction) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.ack(id, action, 5);
      const words = { done: "Break recorded. Well done.", snooze: "Snoozed for 5 minutes.", skip: "Skipped. That's okay." };
      toast(result.queued ? "Saved; it will be sent when you are back online." : words[action]);
      navigate("/");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const exercise = EXERCISES[choice];
  const left = total - elapsed;
  const ritualSteps = reminder?.ritual_steps ?? [];
  const following = nextSession(upcoming, now);
  const acked = reminder?.ack_action ?? null;
  const body = reminder ? withoutFixedRoom(reminder.body) : "";
  // Not begun yet: no Done (the server refuses it) and no Snooze (nothing was sent to snooze).
  const early = reminder !== null && now < Date.parse(reminder.due_at);
  const ritualOnly = reminder !== null && RITUAL_KINDS.has(reminder.kind);

  if (!settled) {
    return (
      <section class="break" aria-labelledby="break-title" aria-busy="true">
        <header class="page-head">
          <h1 id="break-title">Break</h1>
        </header>
      </section>
    );
  }

  return (
    <section class="break" aria-labelledby="break-title">
      <header class="page-head">
        <h1 id="break-title">{reminder?.title || "Two-minute break"}</h1>
        {body && <p class="muted">{body}</p>}
        {following && (
          <p class="next-session" data-testid="next-session">
            Next session in {duration(Date.parse(following.start) - now)} · {formatTime(following.start, zone)}
          </p>
        )}
      </header>
      {acked && (
        <div class="card done-banner" role="status" data-testid="break-done">
          <strong>
            {ACK_WORDS[acked]}
            {reminder?.acked_at ? ` at ${formatTime(reminder.acked_at, zone)}` : ""}
          </strong>
          <p>
            {acked === "done" ? "This break is already recorded. " : ""}
            <a href="/">Back to Today</a>
          </p>
        </div>
      )}
      {notesMinutes > 0 && reminder && (reminder.kind !== "notes" || reminder.ritual_steps.length > 0) && (
        <div class="segmented" role="group" aria-label="Break and notes">
          {(order === "notes_first" ? (["notes", "exercise"] as const) : (["exercise", "notes"] as const)).map((p) => (
            <button
              type="button"
              key={p}
              aria-pressed={p === "notes" ? phase === "notes" : phase !== "notes"}
              onClick={() => toPhase(p === "exercise" && reminder.ritual_steps.length > 0 ? "ritual" : p)}
            >
              {p === "notes"
                ? `Notes · ${notesMinutes} min`
                : `${reminder.kind === "notes" ? "Ritual" : "Break"} · ${reminder.duration_minutes} min`}
            </button>
          ))}
        </div>
      )}
      {phase === "notes" && reminder ? (
        <div class="card ritual-card" data-testid="notes-phase">
          <h2>Notes time</h2>
          <p class="muted">{order === "notes_first" ? "Your notes first, then the break." : "After the break: your notes."}</p>
          <p class="timer" role="timer" aria-live="off" data-testid="notes-timer">
            {clock(left)} left
          </p>
          <div class="row">
            <button type="button" class="btn btn-ghost" onClick={() => setRunning(!running)}>
              {running ? "Pause" : "Resume"}
            </button>
            <button
              type="button"
              class="btn"
              aria-pressed={Boolean(marks.notes_done)}
              onClick={() => markSession("notes_done")}
            >
              {marks.notes_done ? "✓ Notes done" : "Notes done"}
            </button>
            <button type="button" class="btn" aria-pressed={Boolean(marks.ran_over)} onClick={() => markSession("ran_over")}>
              {marks.ran_over ? "✓ Ran over" : "Ran over"}
            </button>
          </div>
        </div>
      ) : phase === "ritual" && reminder ? (
        <div class="card ritual-card" data-testid="ritual-phase">
          <h2>{reminder.ritual_name ? `Your ritual: ${reminder.ritual_name}` : "Your ritual"}</h2>
          <ol class="steps">
            {ritualSteps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          <p class="timer" role="timer" aria-live="off" data-testid="ritual-timer">
            {clock(left)} left
          </p>
          <div class="row">
            <button type="button" class="btn btn-ghost" onClick={() => setRunning(!running)}>
              {running ? "Pause" : "Resume"}
            </button>
            <button type="button" class="btn btn-ghost" onClick={toExercise}>
              {ritualOnly ? "Add a breathing exercise" : left === 0 ? "On to the break" : "Skip to the break"}
            </button>
          </div>
        </div>
      ) : (
        <>
          <div class="chips" role="group" aria-label="Exercise">
            {(Object.keys(EXERCISES) as (keyof typeof EXERCISES)[]).map((key) => (
              <button
                type="button"
                class="chip"
                aria-pressed={choice === key}
                onClick={() => {
                  setChoice(key);
                  setElapsed(0);
                  setRunning(true);
                }}
                key={key}
              >
                {EXERCISES[key].name}
              </button>
            ))}
          </div>
          <div class="card exercise">
            {exercise.kind === "breathing" ? (
              <BreathingGuide key={choice} exercise={exercise} elapsed={elapsed} vibrate={vibrate && running} />
            ) : (
              <Cards exercise={exercise} />
            )}
            <p class="timer" role="timer" aria-live="off">
              {clock(left)} left
            </p>
            <div class="row">
              <button type="button" class="btn btn-ghost" onClick={() => setRunning(!running)}>
                {running ? "Pause" : "Resume"}
              </button>
              <label class="switch">
                <input type="checkbox" checked={vibrate} onChange={toggleVibrate} /> Vibrate with each step
              </label>
            </div>
          </div>
        </>
      )}
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      {!acked && early && reminder && (
        <p class="card not-yet" data-testid="not-yet">
          This break starts at {formatTime(reminder.due_at, zone)}. You can mark it done once it has begun.
        </p>
      )}
      {!acked && (
        <div class={`actions${early ? " actions-early" : ""}`}>
          {!early && (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => ack("done")}>
              Done
            </button>
          )}
          {!early && (
            <button type="button" class="btn" disabled={busy} onClick={() => ack("snooze")}>
              Snooze 5
            </button>
          )}
          <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => ack("skip")}>
            Skip
          </button>
        </div>
      )}
    </section>
  );
}
