/** Past check-ins (edit or delete) and the well-being export links (CSV and JSON). */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Checkin, WellbeingDataset, WellbeingSettings } from "../api/models";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";
import { formatLocalDate, formatTime } from "../lib/time";

/** What the ends of the energy scale mean, wherever energy is entered. */
export const ENERGY_ANCHORS = { low: "running on empty", high: "full of energy" } as const;

export const PRIVACY_DEFAULT = "Please keep client names and details out of it.";

/** The reminder shown next to every free-text field. */
export function PrivacyNote({ text, id }: { text?: string | null; id?: string }) {
  return (
    <p class="muted" id={id}>
      {text || PRIVACY_DEFAULT}
    </p>
  );
}

function EditCheckin({ item, reminder, onDone }: { item: Checkin; reminder?: string; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      await api.updateCheckin(item.id, {
        energy: Number(form.get("energy")),
        insight: String(form.get("insight") ?? "") || null,
        gratitude: String(form.get("gratitude") ?? "") || null,
      });
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const prefix = `edit-${item.id}`;
  return (
    <form class="stack" onSubmit={save}>
      <div class="field">
        <label for={`${prefix}-energy`}>Energy (1–10)</label>
        <input
          id={`${prefix}-energy`}
          name="energy"
          type="number"
          min={1}
          max={10}
          required
          value={item.energy}
          aria-describedby={`${prefix}-energy-anchors`}
        />
        <small id={`${prefix}-energy-anchors`} class="muted">
          1 = {ENERGY_ANCHORS.low}, 10 = {ENERGY_ANCHORS.high}
        </small>
      </div>
      <PrivacyNote text={reminder} id={`${prefix}-privacy`} />
      <div class="field">
        <label for={`${prefix}-insight`}>Insight</label>
        <textarea id={`${prefix}-insight`} name="insight" rows={2} maxLength={1000} aria-describedby={`${prefix}-privacy`} value={item.insight ?? ""} />
      </div>
      <div class="field">
        <label for={`${prefix}-gratitude`}>Gratitude</label>
        <textarea id={`${prefix}-gratitude`} name="gratitude" rows={2} maxLength={1000} aria-describedby={`${prefix}-privacy`} value={item.gratitude ?? ""} />
      </div>
      <FormError error={error} />
      <button type="submit" class="btn">
        Save changes
      </button>
    </form>
  );
}

export function CheckinHistory({ settings, onChanged }: { settings: WellbeingSettings | null; onChanged: () => void }) {
  const { toast } = useApp();
  const [items, setItems] = useState<Checkin[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    api
      .checkins(30)
      .then(setItems)
      .catch((e) => setError((e as Error).message));
  useEffect(() => {
    if (open) void load();
  }, [open]);

  const remove = async (item: Checkin) => {
    if (!window.confirm(`Delete the check-in of ${item.local_date}?`)) return;
    try {
      await api.deleteCheckin(item.id);
      toast("Check-in deleted.");
      await load();
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <details class="card details" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Past check-ins</summary>
      <FormError error={error} />
      {items && items.length === 0 && <p class="muted">No check-ins yet.</p>}
      <ul class="history" data-testid="checkin-history">
        {(items ?? []).map((item) => (
          <li key={item.id}>
            <p>
              <strong>{formatLocalDate(item.local_date)}</strong> {formatTime(item.at, item.timezone)} · energy {item.energy}
              {item.emotions.length > 0 && ` · ${item.emotions.join(", ")}`}
            </p>
            {editing === item.id ? (
              <EditCheckin
                item={item}
                reminder={settings?.privacy_reminder}
                onDone={() => {
                  setEditing(null);
                  toast("Check-in updated.");
                  void load();
                  onChanged();
                }}
              />
            ) : (
              <div class="row">
                <button type="button" class="btn btn-small" onClick={() => setEditing(item.id)} aria-label={`Edit check-in of ${item.local_date}`}>
                  Edit
                </button>
                <button type="button" class="btn btn-small btn-ghost" onClick={() => remove(item)} aria-label={`Delete check-in of ${item.local_date}`}>
                  Delete
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

const DATASETS: [WellbeingDataset, string][] = [
  ["checkins", "Check-ins"],
  ["weekly_reviews", "Weekly reviews"],
  ["self_checks", "Self-checks"],
  ["commitments", "Commitments"],
];

export function ExportLinks() {
  const [dataset, setDataset] = useState<WellbeingDataset>("checkins");
  return (
    <section class="card stack" aria-labelledby="wb-export">
      <h2 id="wb-export">Export your well-being data</h2>
      <p class="muted">JSON holds everything; a CSV holds one table, for a spreadsheet.</p>
      <div class="field">
        <label for="wb-dataset">CSV table</label>
        <select id="wb-dataset" value={dataset} onChange={(e) => setDataset((e.target as HTMLSelectElement).value as WellbeingDataset)}>
          {DATASETS.map(([value, label]) => (
            <option value={value} key={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        <a class="btn" href={api.wellbeingExportUrl("csv", dataset)} download>
          Download CSV
        </a>
        <a class="btn" href={api.wellbeingExportUrl("json")} download>
          Download JSON
        </a>
      </div>
    </section>
  );
}
