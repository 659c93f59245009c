/** The small "Remove" button of every editable list; the label names what goes. */
export function RemoveButton({ label, onRemove }: { label: string; onRemove: () => void }) {
  return (
    <button type="button" class="btn btn-small btn-ghost" aria-label={label} onClick={onRemove}>
      Remove
    </button>
  );
}
