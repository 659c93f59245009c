/**
 * Today's warning when break reminders are not reaching this phone (silent, gone or
 * unsubscribed), with a one-tap repair. Reconciling the subscription with the server on every
 * app open happens here too (lib/push.ts `reconcilePush`). Loaded after Today's first paint
 * (a lazy chunk with lib/push.ts: the first load has no room for it).
 */
import { useEffect, useState } from "preact/hooks";
import { needsHomeScreenInstall, reconcilePush, repairPush, type DeliveryStatus } from "../lib/push";

const NOT_REACHING = new Set(["silent", "gone", "unsubscribed"]);

/** "Tuesday 2:50 PM" in the therapist's zone, the way the phone writes times. */
export function sinceWords(iso: string, zone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "long",
    hour: "numeric",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function DeliveryBanner({ zone }: { zone: string }) {
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    reconcilePush()
      .then((s) => live && setStatus(s))
      .catch(() => undefined); // offline or signed out: nothing to say yet
    return () => {
      live = false;
    };
  }, []);

  if (!status || !NOT_REACHING.has(status.state)) return null;
  const since = status.since ? ` since ${sinceWords(status.since, zone)}` : "";
  const homeScreen = needsHomeScreenInstall();
  const repair = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const device = await repairPush();
      setStatus({ state: device.health, since: device.health_since, device });
      setMessage("Repaired. A test reminder is on its way to this phone.");
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="banner banner-delivery" role="alert" data-testid="delivery-banner">
      <p>
        <strong>Break reminders are not reaching this phone{since}.</strong>
      </p>
      {homeScreen ? (
        <p>
          On iPhone and iPad, reminders only arrive when Interlude is on your Home Screen: tap Share, then Add to Home
          Screen, and open Interlude from its icon.
        </p>
      ) : (
        <button type="button" class="btn btn-small" onClick={repair} disabled={busy}>
          {busy ? "Repairing…" : "Repair reminders"}
        </button>
      )}
      {message && <p role="status">{message}</p>}
    </div>
  );
}

export default DeliveryBanner;
