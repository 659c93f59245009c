import { useEffect, useState } from "preact/hooks";
import { applyUpdate, onUpdateAvailable } from "../lib/sw-register";
import { useOnline } from "../lib/online";

/** "Offline — showing data from 10:42" whenever a screen shows cached data. */
export function StaleBanner({ savedAt }: { savedAt: number | null }) {
  if (savedAt === null) return null;
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(
    savedAt,
  );
  return (
    <p class="banner banner-offline" role="status" data-testid="offline-banner">
      Offline — showing data from {time}
    </p>
  );
}

export function ConnectionBanner() {
  const online = useOnline();
  if (online) return null;
  return (
    <p class="banner banner-offline" role="status">
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
