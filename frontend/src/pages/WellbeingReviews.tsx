/** The weekly early-warning checklist and the monthly self-check (a reflection aid). */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import type { Instrument, SelfCheckResult, WarningSign, WellbeingSettings, WellbeingSummary } from "../api/models";
import { PrivacyNote } from "./WellbeingHistory";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";

export function WeeklyReview({ settings, onSaved }: { settings: WellbeingSettings | null; onSaved: () => void }) {
  const { toast } = useApp();
  const [error, setError] = useState<string | null>(null);
  const signs = Object.entries(settings?.warning_signs ?? {});

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const data = {
      // The boxes' values are the keys of settings.warning_signs: the server's own list.
      warning_signs: form.getAll("sign").map(String) as WarningSign[],
      fulfillment: String(form.get("fulfillment") ?? "") || null,
    };
    try {
      try {
        await api.createWeeklyReview(data);
      } catch (e) {
        // Already reviewed this week: the newest review is this week's, so update it.
        if (!(e instanceof ApiError && e.status === 409)) throw e;
        const [latest] = await api.weeklyReviews();
        if (!latest) throw e;
        await api.updateWeeklyReview(latest.id, data);
      }
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
      <p class="muted">The twelve early-warning signs: tick the ones you noticed. Nothing here is a diagnosis.</p>
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
          <PrivacyNote text={settings?.privacy_reminder} id="fulfillment-privacy" />
          <textarea id="fulfillment" name="fulfillment" rows={2} maxLength={2000} aria-describedby="fulfillment-privacy" />
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
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const note = composeNote(String(form.get("went_well") ?? ""), String(form.get("adjustment") ?? ""));
    try {
      let saved: SelfCheckResult;
      try {
        saved = await api.createSelfCheck({ instrument: instrument.id, answers, ...(note ? { note } : {}) });
      } catch (e) {
        // This month is already done: update it instead (answers and the review notes).
        if (!(e instanceof ApiError && e.status === 409)) throw e;
        const month = await thisMonthsCheck();
        if (!month) throw e;
        saved = await api.updateSelfCheck(month.id, { answers, note });
      }
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
          <p class="notice">
            <strong>A reflection aid, not a validated instrument.</strong> <span>{instrument.disclaimer}</span>
          </p>
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
          <h3>Month in review</h3>
          <PrivacyNote id="review-privacy" />
          <div class="field">
            <label for="went_well">What went well this month (optional)</label>
            <textarea id="went_well" name="went_well" rows={2} maxLength={900} aria-describedby="review-privacy" />
          </div>
          <div class="field">
            <label for="adjustment">One adjustment to try next month (optional)</label>
            <textarea id="adjustment" name="adjustment" rows={2} maxLength={900} aria-describedby="review-privacy" />
          </div>
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

const WENT_WELL = "What went well: ";
const ADJUSTMENT = "One adjustment to try next month: ";

/** The self-check's one free-text note holds the month's review (see docs/frontend.md). */
export function composeNote(wentWell: string, adjustment: string): string | null {
  const lines = [];
  if (wentWell.trim()) lines.push(WENT_WELL + wentWell.trim());
  if (adjustment.trim()) lines.push(ADJUSTMENT + adjustment.trim());
  return lines.length ? lines.join("\n") : null;
}

export function parseNote(note: string | null | undefined): { wentWell: string; adjustment: string; other: string } {
  const out = { wentWell: "", adjustment: "", other: "" };
  for (const line of (note ?? "").split("\n")) {
    if (line.startsWith(WENT_WELL)) out.wentWell = line.slice(WENT_WELL.length);
    else if (line.startsWith(ADJUSTMENT)) out.adjustment = line.slice(ADJUSTMENT.length);
    else if (line.trim()) out.other += (out.other ? "\n" : "") + line;
  }
  return out;
}

async function thisMonthsCheck(): Promise<SelfCheckResult | undefined> {
  const now = new Date(); // the phone's local month, like the server's "this month"
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  const list = await api.selfChecks();
  return list.find((c) => c.month.startsWith(month)) ?? list[0];
}

/** The month view's review: numbers, signals and last saved "went well / adjustment". */
export function MonthInReview({ summary }: { summary: WellbeingSummary }) {
  const [check, setCheck] = useState<SelfCheckResult | null>(null);
  useEffect(() => {
    api
      .selfChecks()
      .then((list) => setCheck(list.find((c) => c.month.slice(0, 7) === summary.end.slice(0, 7)) ?? null))
      .catch(() => undefined);
  }, [summary.end]);
  const ind = summary.indicators;
  const note = parseNote(check?.note);
  const num = (value: number | null) => (value === null ? "–" : String(value));
  return (
    <section class="card" aria-labelledby="month-review" data-testid="month-review">
      <h2 id="month-review">Month in review</h2>
      <ul class="compact">
        <li>
          {num(ind.sessions)} sessions, {num(ind.session_hours)} hours
        </li>
        <li>
          Breaks taken: {num(ind.breaks_taken)} of {num(ind.breaks_planned)} planned
        </li>
        <li>Longest back-to-back run: {num(ind.longest_back_to_back)}</li>
        <li>
          Average energy: {num(ind.energy_average)} (on {num(ind.checkin_days)} {ind.checkin_days === 1 ? "day" : "days"} with a check-in)
        </li>
        <li>Early-warning signals active now: {summary.signals.length}</li>
      </ul>
      {check ? (
        <>
          <p>
            <strong>What went well:</strong> {note.wentWell || "not written yet"}
          </p>
          <p>
            <strong>One adjustment to try next month:</strong> {note.adjustment || "not written yet"}
          </p>
        </>
      ) : (
        <p class="muted">Write what went well and one adjustment to try in the monthly self-check below.</p>
      )}
    </section>
  );
}
