/** Small form helpers: labelled fields and the error line every form shows. */
import type { ComponentChildren, JSX } from "preact";

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string };

let counter = 0;
const nextId = () => `f${++counter}`;

export function Field({ label, hint, id, ...rest }: InputProps) {
  const fieldId = (id as string | undefined) ?? nextId();
  const hintId = hint ? `${fieldId}-hint` : undefined;
  return (
    <div class="field">
      <label for={fieldId}>{label}</label>
      <input id={fieldId} aria-describedby={hintId} {...rest} />
      {hint && (
        <small id={hintId} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A labelled select over `[value, label]` options (same DOM as a hand-written one); `value`
 * preselects one. */
export function SelectField({ id, label, name, options, value }: {
  id: string;
  label: string;
  name: string;
  options: readonly (readonly [string, string])[];
  value?: string;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value}>
        {options.map(([key, text]) => (
          <option value={key} key={key} selected={value === undefined ? undefined : key === value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A submitted form's fields by name, as the browser sent them. */
export type FormValues = Record<string, string>;

/** Reads a submitted form's fields (and keeps the browser from navigating). */
export function formValues(event: Event): FormValues {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  return Object.fromEntries([...new FormData(form).entries()].map(([key, value]) => [key, String(value)]));
}

/** A select's value as one of its typed options (the first when the value is none of them). */
export function pick<K extends string>(options: readonly (readonly [K, string])[], value: string | undefined): K {
  return (options.find(([key]) => key === value) ?? options[0])[0];
}

export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p class="notice" role="alert">
      {error}
    </p>
  );
}

export function Details({ summary, children }: { summary: string; children: ComponentChildren }) {
  return (
    <details class="details">
      <summary>{summary}</summary>
      <div>{children}</div>
    </details>
  );
}
