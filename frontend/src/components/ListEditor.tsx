/**
 * One editable list on a card: each row says what the item is, may switch it on and off, and
 * has a Remove button; an "Add …" disclosure below holds the form for a new item.
 *
 * Used by the care plan's micro-breaks, rituals and time off and by the supervision and peer
 * support commitments. The page owns the requests: this component only reports what the
 * person did (`onAdd` with the form's values, `onToggle`, `onRemove`).
 */
import type { ComponentChildren } from "preact";
import { FormError, formValues, type FormValues } from "./Form";
import { RemoveButton } from "./RemoveButton";

export interface ListEditorProps<T extends { id: string }> {
  /** The card's heading and the id that labels the card. */
  title: string;
  titleId: string;
  /** A line under the heading. */
  intro?: ComponentChildren;
  /** null while loading: an empty list. */
  items: readonly T[] | null;
  /** What a row says about its item. */
  describe: (item: T) => ComponentChildren;
  /** An on/off switch per row, labelled by the row's text. */
  toggle?: { isOn: (item: T) => boolean; onToggle: (item: T) => void };
  /** The Remove button's accessible name: it names what goes. */
  removeLabel: (item: T) => string;
  onRemove: (item: T) => void;
  /** The disclosure's summary and the submit button's text. */
  addSummary: string;
  addButton: string;
  onAdd: (values: FormValues) => void;
  /** The add form's labelled fields. */
  children: ComponentChildren;
  /** An error shown under the form. */
  error?: string | null;
  /** Items changed offline and not sent yet: marked "pending". */
  isPending?: (item: T) => boolean;
}

function PendingMark() {
  return (
    <span class="pending" data-testid="pending">
      pending
    </span>
  );
}

export function ListEditor<T extends { id: string }>(props: ListEditorProps<T>) {
  const { toggle } = props;
  return (
    <section class="card" aria-labelledby={props.titleId}>
      <h2 id={props.titleId}>{props.title}</h2>
      {props.intro && <p class="muted">{props.intro}</p>}
      <ul class="list">
        {props.items?.map((item) => (
          <li key={item.id} class="list-row">
            {toggle ? (
              <label class="switch grow">
                <input type="checkbox" checked={toggle.isOn(item)} onChange={() => toggle.onToggle(item)} />
                <span>{props.describe(item)}</span>
              </label>
            ) : (
              <span class="grow">{props.describe(item)}</span>
            )}
            {props.isPending?.(item) && <PendingMark />}
            <RemoveButton label={props.removeLabel(item)} onRemove={() => props.onRemove(item)} />
          </li>
        ))}
      </ul>
      <details class="details">
        <summary>{props.addSummary}</summary>
        <form class="stack" onSubmit={(event) => props.onAdd(formValues(event))}>
          {props.children}
          <button type="submit" class="btn">
            {props.addButton}
          </button>
        </form>
      </details>
      <FormError error={props.error ?? null} />
    </section>
  );
}
