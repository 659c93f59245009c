/** Break: a guided two-minute exercise, then Done / Snooze 5 / Skip posted as the ack. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AckAction, Reminder } from "../api/models";
import { useApp } from "../lib/context";
import {
  BREAK_SECONDS,
  EXERCISES,
  exerciseFor,
  phaseAt,
  type Breathing,
  type Exercise,
} from "../lib/exercises";
import { navigate } from "../lib/router";

const VIBRATE_KEY = "interlude.vibrate";

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
  return (
    <div class="breath">
      <div
        class="breath-shape"
        data-phase={index}
        aria-hidden="true"
        style={
          still
            ? undefined
            : { transform: `scale(${phase.scale})`, transitionDuration: `${phase.seconds}s` }
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
  const { toast } = useApp();
  const [reminder, setReminder] = useState<Reminder | null>(null);
  const [choice, setChoice] = useState<keyof typeof EXERCISES>("box_breathing");
  const [elapsed, setElapsed] = useState(0);
  const [running, setRunning] = useState(true);
  const [vibrate, setVibrate] = useState(() => localStorage.getItem(VIBRATE_KEY) === "1");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .reminder(id)
      .then((r) => {
        setReminder(r);
        setChoice(exerciseFor(r.activity));
      })
      .catch(() => undefined); // offline or gone: the exercise still works
  }, [id]);

  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      setElapsed((s) => {
        if (s + 1 >= BREAK_SECONDS) setRunning(false);
        return Math.min(s + 1, BREAK_SECONDS);
      });
    }, 1000);
    return () => window.clearInterval(timer);
  }, [running]);

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
  const left = BREAK_SECONDS - elapsed;
  const ritualSteps = reminder?.ritual_steps ?? [];

  return (
    <section class="break" aria-labelledby="break-title">
      <header class="page-head">
        <h1 id="break-title">{reminder?.title || "Two-minute break"}</h1>
        {reminder?.body && <p class="muted">{reminder.body}</p>}
      </header>
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
          <BreathingGuide exercise={exercise} elapsed={elapsed} vibrate={vibrate && running} />
        ) : (
          <Cards exercise={exercise} />
        )}
        {ritualSteps.length > 0 && (
          <>
            <h2>Your ritual</h2>
            <ol class="steps">
              {ritualSteps.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ol>
          </>
        )}
        <p class="timer" role="timer" aria-live="off">
          {Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")} left
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
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => ack("done")}>
          Done
        </button>
        <button type="button" class="btn" disabled={busy} onClick={() => ack("snooze")}>
          Snooze 5
        </button>
        <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => ack("skip")}>
          Skip
        </button>
      </div>
    </section>
  );
}
