/** Custom auto-reply templates, one per slot, with the server's line-numbered error on a 422. */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import type { AutoreplyTemplate, TemplateProblem, TemplateSlot } from "../api/models";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";

const SLOTS: [TemplateSlot, string][] = [
  ["email_subject", "Email subject"],
  ["email", "Email"],
  ["portal", "Portal"],
  ["sms", "SMS"],
  ["voicemail", "Voicemail"],
  ["sieve", "Sieve reply text"],
];

/** The slot a format's text comes from (gmail, graph and ics reuse the email one). */
export function slotFor(format: string): TemplateSlot {
  return (SLOTS.find(([slot]) => slot === format)?.[0] ?? "email") as TemplateSlot;
}

export function problemOf(error: unknown): TemplateProblem | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const d = error.details as Partial<TemplateProblem> | null;
  if (!d || typeof d !== "object" || Array.isArray(d)) return null;
  return { slot: String(d.slot ?? ""), line: typeof d.line === "number" ? d.line : null, message: String(d.message ?? error.message) };
}

export function TemplateEditor({ initialSlot, onSaved }: { initialSlot: TemplateSlot; onSaved: () => void }) {
  const { toast } = useApp();
  const [slot, setSlot] = useState<TemplateSlot>(initialSlot);
  const [templates, setTemplates] = useState<AutoreplyTemplate[]>([]);
  const [source, setSource] = useState("");
  const [problem, setProblem] = useState<TemplateProblem | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    api
      .autoreplyTemplates()
      .then((t) => setTemplates(t.templates))
      .catch((e) => setError((e as Error).message));
  useEffect(() => {
    void load();
  }, []);
  useEffect(() => setSlot(initialSlot), [initialSlot]);
  const current = templates.find((t) => t.slot === slot);
  useEffect(() => {
    setSource(current?.source ?? "");
    setProblem(null);
    setError(null);
  }, [current?.source, slot]);

  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await api.saveTemplate(slot, source);
      setProblem(null);
      setError(null);
      toast("Template saved.");
      await load();
      onSaved();
    } catch (e) {
      setProblem(problemOf(e));
      setError((e as Error).message);
    }
  };
  const reset = async () => {
    try {
      await api.resetTemplate(slot);
      toast("Back to the built-in template.");
      await load();
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const lines = source.split("\n");
  return (
    <details class="card details">
      <summary>Custom templates</summary>
      <form class="stack" onSubmit={save}>
        <p class="muted">
          Jinja2 in a sandbox. The crisis line must stay in. Variables: {(current?.variables ?? []).join(", ")}.
        </p>
        <div class="field">
          <label for="tpl-slot">Template</label>
          <select id="tpl-slot" value={slot} onChange={(e) => setSlot((e.target as HTMLSelectElement).value as TemplateSlot)}>
            {SLOTS.map(([value, label]) => (
              <option value={value} key={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tpl-source">{current?.custom ? "Your template" : "Built-in template (edit to make it yours)"}</label>
          <textarea
            id="tpl-source"
            class="template-editor"
            rows={Math.min(16, Math.max(4, lines.length + 1))}
            value={source}
            onInput={(e) => setSource((e.target as HTMLTextAreaElement).value)}
            aria-describedby={problem ? "tpl-problem" : undefined}
            spellcheck={false}
          />
        </div>
        {problem && (
          <div class="notice" role="alert" id="tpl-problem" data-testid="template-problem">
            <p>
              {problem.line ? <strong>Line {problem.line}: </strong> : null}
              {problem.message}
            </p>
            {problem.line && lines[problem.line - 1] !== undefined && (
              <pre class="preview">
                {problem.line} | {lines[problem.line - 1]}
              </pre>
            )}
          </div>
        )}
        {!problem && <FormError error={error} />}
        <div class="row">
          <button type="submit" class="btn btn-primary">
            Save template
          </button>
          {current?.custom && (
            <button type="button" class="btn btn-ghost" onClick={reset}>
              Use the built-in one
            </button>
          )}
        </div>
      </form>
    </details>
  );
}
