/** The weekly early-warning checklist and the monthly self-check (a reflection aid). */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Instrument, SelfCheckResult, WellbeingSettings } from "../api/types";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";

export function WeeklyReview({ settings, onSaved }: { settings: WellbeingSettings | null; onSaved: () => void }) {
  const { toast } = useApp();
  const [error, setError] = useState<string | null>(null);
  const signs = Object.entries(settings?.warning_signs ?? {});

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      await api.createWeeklyReview({
        warning_signs: form.getAll("sign").map(String),
        fulfillment: String(form.get("fulfillment") ?? "") || null,
      });
      toast("Weekly review saved.");
      setError(null);
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <details class="card details">
      <summary>Weekly review</summary>
      <form class="stack" onSubmit={submit}>
        <fieldset>
          <legend>This week, did you notice…</legend>
          {signs.map(([code, label]) => (
            <label class="switch" key={code}>
              <input type="checkbox" name="sign" value={code} /> {label}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="fulfillment">A meaningful moment this week (optional)</label>
          <textarea id="fulfillment" name="fulfillment" rows={2} maxLength={2000} />
        </div>
        <FormError error={error} />
        <button type="submit" class="btn">
          Save weekly review
        </button>
      </form>
    </details>
  );
}

export function MonthlySelfCheck() {
  const { toast } = useApp();
  const [instrument, setInstrument] = useState<Instrument | null>(null);
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [result, setResult] = useState<SelfCheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .selfCheckInstruments()
      .then((list) => setInstrument(list[0] ?? null))
      .catch((e) => setError((e as Error).message));
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!instrument) return;
    try {
      const saved = await api.createSelfCheck({ instrument: instrument.id, answers });
      setResult(saved);
      setError(null);
      toast("Self-check saved.");
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const scale = instrument
    ? Array.from({ length: instrument.scale_max - instrument.scale_min + 1 }, (_, i) => instrument.scale_min + i)
    : [];

  return (
    <details class="card details">
      <summary>Monthly self-check</summary>
      {instrument && (
        <form class="stack" onSubmit={submit}>
          <p class="muted">{instrument.disclaimer}</p>
          {instrument.items.map((item) => (
            <fieldset class="scale" key={item.id}>
              <legend>{item.text}</legend>
              <div class="chips">
                {scale.map((n) => (
                  <button
                    type="button"
                    class="chip chip-num"
                    aria-pressed={answers[item.id] === n}
                    aria-label={`${n}: ${instrument.scale_labels[n - instrument.scale_min] ?? n}`}
                    onClick={() => setAnswers({ ...answers, [item.id]: n })}
                    key={n}
                  >
                    {n}
                  </button>
                ))}
              </div>
            </fieldset>
          ))}
          <p class="muted">
            {instrument.scale_min} = {instrument.scale_labels[0]}, {instrument.scale_max} ={" "}
            {instrument.scale_labels[instrument.scale_labels.length - 1]}
          </p>
          <FormError error={error} />
          <button type="submit" class="btn" disabled={Object.keys(answers).length < instrument.items.length}>
            Save self-check
          </button>
        </form>
      )}
      {!instrument && <FormError error={error} />}
      {result && (
        <ul class="compact" aria-label="Your scores">
          {result.scores.map((s) => (
            <li key={s.dimension}>
              <strong>{s.label}</strong>: {s.score} ({s.band}; higher means {s.higher_means})
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
