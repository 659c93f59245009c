/**
 * Care plan: "Notes time" (minutes of notes after a session, which sessions, the order with the
 * break, how far the backlog looks back, the end-of-day reminder) and "Ending on time" (the
 * silent wrap-up cue before a session ends).
 */
import type { CarePlanSettings, CarePlanSettingsUpdate } from "../api/models";
import { Field, formValues, pick, SelectField } from "./Form";

/** The care plan's notes and wrap-up settings (flat fields of the settings). */
export type NotesSettingsValues = Pick<
  CarePlanSettings,
  | "notes_minutes"
  | "notes_applies_to"
  | "notes_order"
  | "notes_backlog_days"
  | "notes_end_of_day"
  | "wrap_up_minutes"
  | "wrap_up_applies_to"
>;
export type AppliesTo = NotesSettingsValues["notes_applies_to"];

export const NOTES_DEFAULTS: NotesSettingsValues = {
  notes_minutes: 0,
  notes_applies_to: "every",
  notes_order: "break_first",
  notes_backlog_days: 7,
  notes_end_of_day: true,
  wrap_up_minutes: 0,
  wrap_up_applies_to: "every",
};

const APPLIES: [AppliesTo, string][] = [
  ["every", "Every session"],
  ["intense", "Intense sessions"],
  ["telehealth", "Telehealth sessions"],
];

/** The settings' notes fields, with the defaults where an answer cached before them lacks them. */
export function notesValues(settings: CarePlanSettings): NotesSettingsValues {
  return { ...NOTES_DEFAULTS, ...settings };
}

function applies(value: string): AppliesTo {
  return pick(APPLIES, value);
}

type Save = (data: CarePlanSettingsUpdate) => void;

export function NotesTime({ settings, pending, onSave }: { settings: CarePlanSettings; pending: boolean; onSave: Save }) {
  const s = notesValues(settings);
  return (
    <section class="card" aria-labelledby="notes-title" data-testid="notes-settings">
      <h2 id="notes-title">
        Notes time{pending && <> <span class="pending">pending</span></>}
      </h2>
      <p class="muted" id="notes-hint">
        Keep part of the gap after a session for your progress notes. When the gap holds both, you
        get one reminder for the break and the notes; when it holds only the break, the break alone.
      </p>
      <form
        class="stack"
        onSubmit={(e) => {
          const v = formValues(e);
          onSave({
            notes_minutes: Number(v.notes_minutes),
            notes_applies_to: applies(v.notes_applies_to),
            notes_order: v.notes_order === "notes_first" ? "notes_first" : "break_first",
            notes_backlog_days: Number(v.notes_backlog_days),
            notes_end_of_day: v.notes_end_of_day === "on",
          });
        }}
      >
        <Field
          id="notes-min"
          label="Minutes of notes after a session (0 = off)"
          name="notes_minutes"
          type="number"
          min={0}
          max={60}
          value={s.notes_minutes}
          inputMode="numeric"
          aria-describedby="notes-hint"
          required
        />
        <SelectField id="notes-for" label="For" name="notes_applies_to" value={s.notes_applies_to} options={APPLIES} />
        <SelectField
          id="notes-order"
          label="Order in the gap"
          name="notes_order"
          value={s.notes_order}
          options={[
            ["break_first", "Break first, then notes"],
            ["notes_first", "Notes first, then the break"],
          ]}
        />
        <Field
          id="notes-days"
          label="Open notes: look back this many days"
          name="notes_backlog_days"
          type="number"
          min={1}
          max={30}
          value={s.notes_backlog_days}
          inputMode="numeric"
          required
        />
        <label class="switch">
          <input type="checkbox" name="notes_end_of_day" checked={s.notes_end_of_day} /> A reminder before work
          ends while notes are still open
        </label>
        <button type="submit" class="btn">
          Save notes time
        </button>
      </form>
    </section>
  );
}

export function EndingOnTime({ settings, pending, onSave }: { settings: CarePlanSettings; pending: boolean; onSave: Save }) {
  const s = notesValues(settings);
  return (
    <section class="card" aria-labelledby="wrap-title" data-testid="wrap-up-settings">
      <h2 id="wrap-title">
        Ending on time{pending && <> <span class="pending">pending</span></>}
      </h2>
      <p class="muted" id="wrap-hint">
        A quiet cue a few minutes before a session ends, so you can begin the wrap-up. It is silent: no
        sound and no vibration, only a notification on the screen, and never in a session's first half.
        Phones that cannot show a notification silently (iPhone and iPad) do not get it.
      </p>
      <form
        class="stack"
        onSubmit={(e) => {
          const v = formValues(e);
          onSave({
            wrap_up_minutes: Number(v.wrap_up_minutes),
            wrap_up_applies_to: applies(v.wrap_up_applies_to),
          });
        }}
      >
        <Field
          id="wrap-min"
          label="Minutes before a session ends (0 = off)"
          name="wrap_up_minutes"
          type="number"
          min={0}
          max={15}
          value={s.wrap_up_minutes}
          inputMode="numeric"
          aria-describedby="wrap-hint"
          required
        />
        <SelectField id="wrap-for" label="For" name="wrap_up_applies_to" value={s.wrap_up_applies_to} options={APPLIES} />
        <button type="submit" class="btn">
          Save wrap-up cue
        </button>
      </form>
    </section>
  );
}
