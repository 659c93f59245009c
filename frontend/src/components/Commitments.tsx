/** Supervision, peer check-ins and personal therapy: recurring, treated like client sessions. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Commitment, CommitmentCreate } from "../api/models";
import { useApp } from "../lib/context";
import { formatClock, formatDateTime } from "../lib/time";
import { pick, SelectField } from "./Form";
import { ListEditor } from "./ListEditor";
import { WEEKDAYS } from "./WeekEditor";

const KINDS: [CommitmentCreate["kind"], string][] = [
  ["supervision", "Supervision"],
  ["peer", "Peer check-in"],
  ["personal_therapy", "Personal therapy"],
];
const FREQUENCIES: [NonNullable<CommitmentCreate["frequency"]>, string][] = [
  ["weekly", "Every week"],
  ["biweekly", "Every two weeks"],
  ["monthly", "Every month"],
];

export function Commitments({ onChange }: { onChange: () => void }) {
  const { user, toast } = useApp();
  const zone = user?.timezone ?? "UTC";
  const [items, setItems] = useState<Commitment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.commitments().then(setItems).catch((e) => setError((e as Error).message));
  }, []);
  useEffect(load, [load]);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await action();
      toast(done);
      load();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <ListEditor
      title="Supervision and peer support"
      titleId="support-title"
      intro="Recurring commitments for your own care. They are reminded like rituals and never skipped for a break."
      items={items}
      describe={(c) => (
        <>
          <strong>{c.label || KINDS.find(([k]) => k === c.kind)?.[1]}</strong> ·{" "}
          {FREQUENCIES.find(([f]) => f === c.frequency)?.[1]?.toLowerCase()}, {WEEKDAYS[c.weekday]} {formatClock(c.start_time)}
          {c.next_occurrence ? ` · next ${formatDateTime(c.next_occurrence, zone)}` : ""}
        </>
      )}
      removeLabel={(c) => `Remove ${c.label || c.kind}`}
      onRemove={(c) => run(() => api.deleteCommitment(c.id), "Removed.")}
      addSummary="Add supervision or a peer check-in"
      addButton="Add"
      onAdd={(v) =>
        run(
          () =>
            api.createCommitment({
              kind: pick(KINDS, v.kind),
              label: v.label ?? "",
              weekday: Number(v.weekday),
              start_time: v.start_time,
              duration_minutes: Number(v.duration_minutes),
              frequency: pick(FREQUENCIES, v.frequency),
            }),
          "Added. It is kept free like a client session.",
        )
      }
      error={error}
    >
      <SelectField id="c-kind" label="Kind" name="kind" options={KINDS} />
      <div class="field">
        <label for="c-label">Name (optional, no client details)</label>
        <input id="c-label" name="label" maxLength={80} placeholder="Group supervision" />
      </div>
      <div class="row">
        <div class="field">
          <label for="c-day">Day</label>
          <select id="c-day" name="weekday">
            {WEEKDAYS.map((d, i) => (
              <option value={i} key={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="c-time">Time</label>
          <input id="c-time" name="start_time" type="time" value="12:00" required />
        </div>
      </div>
      <div class="row">
        <div class="field">
          <label for="c-dur">Minutes</label>
          <input id="c-dur" name="duration_minutes" type="number" min={5} max={480} value={60} inputMode="numeric" />
        </div>
        <SelectField id="c-freq" label="How often" name="frequency" options={FREQUENCIES} />
      </div>
    </ListEditor>
  );
}
