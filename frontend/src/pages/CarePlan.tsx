/**
 * Care plan: micro-break rules, notes time, ending on time, response windows, rituals, quiet
 * hours, cap, time off.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Activity, CarePlan, PlannedItem, RitualTrigger, TimeOff } from "../api/models";
import { StaleBanner } from "../components/Banners";
import { Commitments } from "../components/Commitments";
import { FormError, formValues, pick, SelectField } from "../components/Form";
import { ListEditor } from "../components/ListEditor";
import { EndingOnTime, NotesTime } from "../components/NotesSettings";
import { pendingWrites, type QueuedWrite } from "../api/queue";
import { applyPendingPlan } from "../lib/pending-plan";
import { WeekEditor } from "../components/WeekEditor";
import { useApp } from "../lib/context";
import { QUEUE_EVENT } from "../lib/online";
import { addDays, formatClock, formatTime, hhmm, localDate } from "../lib/time";

const ACTIVITIES: [Activity, string][] = [
  ["box_breathing", "Box breathing"],
  ["breathing_478", "4-7-8 breathing"],
  ["stretch", "Stretch"],
  ["water", "Water"],
  ["step_outside", "Step outside"],
];
const RITUAL_TRIGGERS: [RitualTrigger, string][] = [
  ["after_every_session", "After every session"],
  ["after_intense", "After intense sessions"],
  ["after_telehealth", "After telehealth"],
  ["end_of_day", "End of day"],
];
const TIME_OFF_KINDS: [TimeOff["kind"], string][] = [
  ["pto", "Time off"],
  ["holiday", "Holiday"],
];

/** Tomorrow's reminders with this plan, reloaded after every change. */
function usePreview(zone: string, version: number): { items: PlannedItem[] | null; error: string | null } {
  const tomorrow = addDays(localDate(new Date(), zone), 1);
  const [items, setItems] = useState<PlannedItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .planPreview(tomorrow)
      .then((preview) => {
        setItems(preview.reminders);
        setError(null);
      })
      .catch((e) => {
        setItems((old) => old ?? []);
        setError((e as Error).message);
      });
  }, [tomorrow, version]);
  return { items, error };
}

function Preview({ zone, items, error }: { zone: string; items: PlannedItem[]; error: string | null }) {
  return (
    <section class="card" aria-labelledby="preview-title" data-testid="plan-preview">
      <h2 id="preview-title">Tomorrow with this plan</h2>
      {error && <p class="muted">{error}</p>}
      {items.length === 0 && !error && <p class="muted">No reminders planned for tomorrow.</p>}
      <ul class="compact">
        {items.map((item, i) => (
          <li key={`${item.due_at}${i}`}>
            <strong>{formatTime(item.due_at, zone)}</strong> {item.title}
            {item.ritual_name && item.kind !== "transition_ritual" && (
              <span data-testid="preview-ritual">
                {" "}
                · {item.kind === "micro_break" ? "then your ritual" : "ritual"} {item.ritual_name} (
                {item.ritual_minutes} min)
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function CarePlanScreen() {
  const { user, toast } = useApp();
  const zone = user?.timezone ?? "UTC";
  const [plan, setPlan] = useState<CarePlan | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const preview = usePreview(zone, version);

  const [pending, setPending] = useState<Set<string>>(new Set());
  const load = useCallback(() => {
    Promise.all([api.carePlan(), pendingWrites().catch(() => [] as QueuedWrite[])])
      .then(([r, writes]) => {
        const applied = applyPendingPlan(r.data, writes);
        setPlan(applied.plan);
        setPending(applied.pending);
        setSavedAt(r.stale ? r.savedAt : null);
      })
      .catch((e) => setError((e as Error).message));
  }, []);
  const isPending = (item: { id: string }) => pending.has(item.id);
  useEffect(() => {
    load();
    window.addEventListener(QUEUE_EVENT, load);
    return () => window.removeEventListener(QUEUE_EVENT, load);
  }, [load]);

  /** Runs a change, then reloads the plan and the preview. */
  const change = async (action: () => Promise<{ queued: boolean }>, done = "Saved.") => {
    setError(null);
    try {
      const result = await action();
      toast(result.queued ? "Saved on this phone; it will be sent when you are online." : done);
      load();
      setVersion((v) => v + 1);
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };

  // The screen appears once the plan and its preview are both here: the preview's list would
  // otherwise push every section below it down as it arrives (CLS 0.15 in the audit).
  const head = (
    <header class="page-head">
      <h1 id="plan-title">Care plan</h1>
      <p class="muted">How Interlude protects your time between sessions.</p>
    </header>
  );
  if (!plan || (!preview.items && !error)) {
    return (
      <section class="care-plan" aria-labelledby="plan-title">
        {head}
        <FormError error={error} />
        {!error && (
          <p class="muted" aria-busy="true">
            Loading…
          </p>
        )}
      </section>
    );
  }
  const s = plan.settings;

  return (
    <section class="care-plan" aria-labelledby="plan-title">
      {head}
      <StaleBanner savedAt={savedAt} />
      <FormError error={error} />
      <Preview zone={zone} items={preview.items ?? []} error={preview.error} />

      <ListEditor
        isPending={isPending}
        title="Micro-breaks"
        titleId="rules-title"
        items={plan.micro_breaks}
        describe={(rule) => (
          <>
            {rule.trigger === "after_session"
              ? `After a session, when the gap is ${rule.min_gap_minutes}+ min`
              : rule.trigger === "fixed_time"
                ? `Every day at ${formatClock(rule.at_time)}`
                : `Every ${rule.every_minutes} min in working hours`}
            {" · "}
            {ACTIVITIES.find(([k]) => k === rule.activity)?.[1] ?? rule.custom_text}, {rule.duration_minutes} min
          </>
        )}
        toggle={{
          isOn: (rule) => rule.enabled,
          onToggle: (rule) =>
            change(() => api.updateCarePlanItem("micro-breaks", rule.id, { enabled: !rule.enabled })),
        }}
        removeLabel={() => "Remove this micro-break rule"}
        onRemove={(rule) => change(() => api.deleteCarePlanItem("micro-breaks", rule.id), "Removed.")}
        addSummary="Add a micro-break rule"
        addButton="Add rule"
        onAdd={(v) =>
          change(() =>
            api.createCarePlanItem("micro-breaks", {
              trigger: "after_session",
              min_gap_minutes: Number(v.min_gap_minutes),
              duration_minutes: Number(v.duration_minutes),
              activity: pick(ACTIVITIES, v.activity),
            }),
          )
        }
      >
        <div class="field">
          <label for="mb-gap">After a session, if the gap is at least (minutes)</label>
          <input id="mb-gap" name="min_gap_minutes" type="number" min={1} max={240} value={5} inputMode="numeric" />
        </div>
        <SelectField id="mb-act" label="Activity" name="activity" options={ACTIVITIES} />
        <div class="field">
          <label for="mb-dur">Length (minutes)</label>
          <input id="mb-dur" name="duration_minutes" type="number" min={1} max={60} value={2} inputMode="numeric" />
        </div>
      </ListEditor>

      <NotesTime
        settings={s}
        pending={pending.has("settings")}
        onSave={(data) => change(() => api.updateCarePlanSettings(data), "Notes time saved.")}
      />
      <EndingOnTime
        settings={s}
        pending={pending.has("settings")}
        onSave={(data) => change(() => api.updateCarePlanSettings(data), "Wrap-up cue saved.")}
      />

      <section class="card" aria-labelledby="windows-title">
        <h2 id="windows-title">
          Response windows{pending.has("response_windows") && <> <span class="pending">pending</span></>}
        </h2>
        <p class="muted">When you answer client messages. Auto-replies point clients to the next one.</p>
        <WeekEditor
          windows={plan.response_windows}
          onSave={(windows) => change(() => api.replaceResponseWindows(windows), "Response windows saved.")}
        />
      </section>

      <ListEditor
        isPending={isPending}
        title="Transition rituals"
        titleId="rituals-title"
        items={plan.rituals}
        describe={(r) => (
          <>
            <strong>{r.name}</strong> · {RITUAL_TRIGGERS.find(([k]) => k === r.trigger)?.[1]} · {r.steps.length} steps
          </>
        )}
        toggle={{
          isOn: (r) => r.enabled,
          onToggle: (r) => change(() => api.updateCarePlanItem("rituals", r.id, { enabled: !r.enabled })),
        }}
        removeLabel={(r) => `Remove ritual ${r.name}`}
        onRemove={(r) => change(() => api.deleteCarePlanItem("rituals", r.id), "Removed.")}
        addSummary="Add a ritual"
        addButton="Add ritual"
        onAdd={(v) =>
          change(() =>
            api.createCarePlanItem("rituals", {
              name: v.name,
              steps: v.steps.split("\n").map((x) => x.trim()).filter(Boolean),
              trigger: pick(RITUAL_TRIGGERS, v.trigger),
              duration_minutes: Number(v.duration_minutes),
            }),
          )
        }
      >
        <div class="field">
          <label for="r-name">Name</label>
          <input id="r-name" name="name" required maxLength={120} />
        </div>
        <div class="field">
          <label for="r-steps">Steps (one per line)</label>
          <textarea id="r-steps" name="steps" rows={3} required />
        </div>
        <SelectField id="r-trigger" label="When" name="trigger" options={RITUAL_TRIGGERS} />
        <div class="field">
          <label for="r-dur">Length (minutes)</label>
          <input id="r-dur" name="duration_minutes" type="number" min={1} max={60} value={5} />
        </div>
      </ListEditor>

      <Commitments onChange={() => setVersion((v) => v + 1)} />

      <section class="card" aria-labelledby="limits-title">
        <h2 id="limits-title">
          Quiet hours and daily cap{pending.has("settings") && <> <span class="pending">pending</span></>}
        </h2>
        <form
          class="stack"
          onSubmit={(e) => {
            const v = formValues(e);
            change(() =>
              api.updateCarePlanSettings({
                quiet_start: v.quiet_start || null,
                quiet_end: v.quiet_end || null,
                daily_cap: Number(v.daily_cap),
                working_start: v.working_start,
                working_end: v.working_end,
              }),
            );
          }}
        >
          <div class="row">
            <div class="field">
              <label for="q-start">Quiet from</label>
              <input id="q-start" name="quiet_start" type="time" value={hhmm(s.quiet_start)} />
            </div>
            <div class="field">
              <label for="q-end">until</label>
              <input id="q-end" name="quiet_end" type="time" value={hhmm(s.quiet_end)} />
            </div>
          </div>
          <div class="row">
            <div class="field">
              <label for="w-start">Work starts</label>
              <input id="w-start" name="working_start" type="time" value={hhmm(s.working_start)} required />
            </div>
            <div class="field">
              <label for="w-end">Work ends</label>
              <input id="w-end" name="working_end" type="time" value={hhmm(s.working_end)} required />
            </div>
          </div>
          <div class="field">
            <label for="cap">Most reminders per day</label>
            <input id="cap" name="daily_cap" type="number" min={1} max={50} value={s.daily_cap} inputMode="numeric" />
          </div>
          <button type="submit" class="btn">
            Save
          </button>
        </form>
      </section>

      <ListEditor
        isPending={isPending}
        title="Time off"
        titleId="pto-title"
        items={plan.time_off}
        describe={(t) => (
          <>
            {t.start_date} → {t.end_date} · {t.kind === "pto" ? "Time off" : "Holiday"}
            {t.label ? ` · ${t.label}` : ""}
          </>
        )}
        removeLabel={(t) => `Remove time off from ${t.start_date}`}
        onRemove={(t) => change(() => api.deleteCarePlanItem("time-off", t.id), "Removed.")}
        addSummary="Add time off"
        addButton="Add time off"
        onAdd={(v) =>
          change(() =>
            api.createCarePlanItem("time-off", {
              start_date: v.start_date,
              end_date: v.end_date || v.start_date,
              kind: pick(TIME_OFF_KINDS, v.kind),
              label: v.label,
            }),
          )
        }
      >
        <div class="row">
          <div class="field">
            <label for="t-start">From</label>
            <input id="t-start" name="start_date" type="date" required />
          </div>
          <div class="field">
            <label for="t-end">To</label>
            <input id="t-end" name="end_date" type="date" />
          </div>
        </div>
        <SelectField id="t-kind" label="Kind" name="kind" options={TIME_OFF_KINDS} />
        <div class="field">
          <label for="t-label">Label (optional)</label>
          <input id="t-label" name="label" maxLength={120} />
        </div>
      </ListEditor>
    </section>
  );
}
