/** "Calendar updated 2 min ago" on Today, freshening the calendars as the app opens or returns. */
import { useEffect, useRef, useState } from "preact/hooks";
import { useMinute } from "../lib/clock";
import { useApp } from "../lib/context";
import { askFreshness, updatedLabel } from "../lib/freshness";

/**
 * Asks for fresh calendars on open, on return to the app and every minute while visible
 * (`useMinute` ticks on each); when a calendar changed, `onChanged` reloads the day.
 */
export function Freshness({ onChanged }: { onChanged?: () => void }) {
  const { user } = useApp();
  const now = useMinute();
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const changed = useRef(onChanged);
  changed.current = onChanged;
  useEffect(() => {
    if (!user) return;
    let live = true;
    askFreshness(user.id, now).then((answer) => {
      if (!live || !answer) return;
      setCheckedAt(answer.checked_at);
      if (answer.changed) changed.current?.();
    });
    return () => {
      live = false;
    };
  }, [now, user?.id]);
  const label = updatedLabel(checkedAt, now);
  // The line keeps its height while empty: no layout shift when the answer arrives.
  return (
    <p class="freshness muted" data-testid="freshness">
      {label ? `Calendar ${label}` : " "}
    </p>
  );
}
