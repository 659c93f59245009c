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
