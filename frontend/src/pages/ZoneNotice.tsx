/** A returning user whose phone is now in another zone (travel) is asked once. */
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { useApp } from "../lib/context";
import { deviceTimeZone } from "../lib/time";
import { friendlyZone } from "../lib/zones";

export function ZoneNotice() {
  const { user, setUser, toast } = useApp();
  const device = deviceTimeZone();
  const [hidden, setHidden] = useState(false);
  if (!user || hidden || device === user.timezone) return null;
  const switchZone = async () => {
    try {
      setUser(await api.updateMe({ timezone: device }));
      toast(`Breaks now follow ${friendlyZone(device)}.`);
    } catch (e) {
      toast((e as Error).message);
    }
  };
  return (
    <div class="banner banner-update" role="status">
      <span>
        Your phone is in {friendlyZone(device)}; your plan uses {friendlyZone(user.timezone)}.
      </span>
      <span class="row">
        <button type="button" class="btn btn-small" onClick={switchZone}>
          Use {zoneCityLabel(device)}
        </button>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => setHidden(true)}>
          Keep
        </button>
      </span>
    </div>
  );
}

function zoneCityLabel(zone: string): string {
  return friendlyZone(zone).split(" — ")[0];
}
