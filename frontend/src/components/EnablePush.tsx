/** The "turn on notifications" button, or Add-to-Home-Screen steps on iOS Safari. */
import { useEffect, useState } from "preact/hooks";
import { enablePush, needsHomeScreenInstall, pushSupported } from "../lib/push";

export function EnablePush({ onDone }: { onDone?: () => void }) {
  const [state, setState] = useState<"idle" | "busy" | "on">("idle");
  const [error, setError] = useState<string | null>(null);

  // "On" means this device holds a push subscription, not merely the permission.
  useEffect(() => {
    if (!pushSupported() || Notification.permission !== "granted") return;
    navigator.serviceWorker.getRegistration().then((registration) =>
      registration?.pushManager.getSubscription().then((sub) => sub && setState("on")),
    );
  }, []);

  if (needsHomeScreenInstall()) {
    return (
      <div class="card" data-testid="ios-install">
        <p>
          On iPhone and iPad, reminders only arrive when Interlude is on your Home Screen:
        </p>
        <ol class="steps">
          <li>
            Tap the <strong>Share</strong> button (the square with an arrow) in Safari.
          </li>
          <li>
            Choose <strong>Add to Home Screen</strong>, then <strong>Add</strong>.
          </li>
          <li>Open Interlude from its new icon and come back to this step.</li>
        </ol>
      </div>
    );
  }
  if (!pushSupported()) {
    return (
      <p class="notice">
        This browser cannot show reminders. Try Chrome, Edge, Firefox or Safari on a phone.
      </p>
    );
  }
  const enable = async () => {
    setState("busy");
    setError(null);
    try {
      await enablePush();
      setState("on");
      onDone?.();
    } catch (e) {
      setError((e as Error).message);
      setState("idle");
    }
  };
  return (
    <div>
      <p>
        Interlude sends a quiet notification when a break starts, with Done, Snooze and Skip
        buttons. It never includes anything from your calendar entries.
      </p>
      {state === "on" ? (
        <p class="ok" role="status">
          Notifications are on for this device.
        </p>
      ) : (
        <button type="button" class="btn btn-primary" disabled={state === "busy"} onClick={enable}>
          Turn on break reminders
        </button>
      )}
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
