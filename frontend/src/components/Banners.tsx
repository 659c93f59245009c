import { useEffect, useState } from "preact/hooks";
import { applyUpdate, onUpdateAvailable } from "../lib/sw-register";
import { useOnline } from "../lib/online";
import { deviceTimeZone, formatTime } from "../lib/time";

// One offline banner at a time: while a screen shows its "showing data from" banner, the
// app-wide "You are offline" one steps aside (it says the same thing, less precisely).
let staleShown = 0;
const staleListeners = new Set<() => void>();
const staleChanged = (delta: number) => {
  staleShown += delta;
  staleListeners.forEach((fn) => fn());
};

/** "Offline — showing data from 10:42 AM" whenever a screen shows cached data. */
export function StaleBanner({ savedAt }: { savedAt: number | null }) {
  const shown = savedAt !== null;
  useEffect(() => {
    if (!shown) return;
    staleChanged(1);
    return () => staleChanged(-1);
  }, [shown]);
  if (savedAt === null) return null;
  return (
    <p class="banner banner-offline" role="status" data-testid="offline-banner">
      Offline — showing data from {formatTime(savedAt, deviceTimeZone())}. Changes are saved on this
      phone and sent when you reconnect.
    </p>
  );
}

export function ConnectionBanner() {
  const online = useOnline();
  const [, rerender] = useState(0);
  useEffect(() => {
    const update = () => rerender((n) => n + 1);
    staleListeners.add(update);
    return () => void staleListeners.delete(update);
  }, []);
  if (online || staleShown > 0) return null;
  return (
    <p class="banner banner-offline" role="status" data-testid="offline-banner">
      You are offline. Changes are saved on this phone and sent when you reconnect.
    </p>
  );
}

export function UpdatePrompt() {
  const [ready, setReady] = useState(false);
  useEffect(() => onUpdateAvailable(setReady), []);
  if (!ready) return null;
  return (
    <div class="banner banner-update" role="status">
      <span>A new version of Interlude is ready.</span>
      <button type="button" class="btn btn-small" onClick={applyUpdate}>
        Update
      </button>
    </div>
  );
}

/**
 * Opened over plain http from another device (not this machine's localhost): the browser
 * withholds the service worker, offline mode and push, so say why and what fixes it.
 */
export function InsecureOriginBanner({ secure = window.isSecureContext }: { secure?: boolean }) {
  if (secure) return null;
  return (
    <p class="banner banner-insecure" role="alert" data-testid="insecure-banner">
      Break reminders cannot work here: this address is not HTTPS, so your phone will not
      install the app, keep it offline or deliver reminders. Ask whoever set up Interlude to
      serve it over HTTPS (its deployment guide shows how), then open the https:// address.
    </p>
  );
}
