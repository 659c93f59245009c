/** Online/offline state and the replay of queued writes when the connection returns. */
import { useEffect, useState } from "preact/hooks";
import { pendingWrites, replayQueue } from "../api/queue";

export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  }, []);
  return online;
}

export const QUEUE_EVENT = "interlude:queue";

/** Replays queued writes now, then tells every screen to refresh. */
export async function flushQueue(): Promise<number> {
  const pending = await pendingWrites().catch(() => []);
  if (!pending.length) return 0;
  const result = await replayQueue();
  window.dispatchEvent(new CustomEvent(QUEUE_EVENT, { detail: result }));
  return result.sent;
}
