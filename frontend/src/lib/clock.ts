/** A clock that ticks on the minute, so "in 8 min" changes exactly when the phone's clock does. */
import { useEffect, useState } from "preact/hooks";

/** Milliseconds until the next whole minute (at least 1, so a tick never repeats itself). */
export function msToNextMinute(now: number): number {
  return 60000 - (now % 60000) || 60000;
}

/** The current time (epoch ms), re-rendering at every minute boundary and on return to the app. */
export function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer = 0;
    const tick = () => {
      setNow(Date.now());
      timer = window.setTimeout(tick, msToNextMinute(Date.now()));
    };
    timer = window.setTimeout(tick, msToNextMinute(Date.now()));
    // A phone asleep in a pocket skips timers: catch up as soon as the app is visible again.
    const onVisible = () => {
      if (document.visibilityState !== "visible") return;
      window.clearTimeout(timer);
      tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);
  return now;
}
