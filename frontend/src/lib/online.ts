/** Online/offline state and the replay of queued writes when the connection returns. */
import { useEffect, useState } from "preact/hooks";
import { pendingWrites, replayQueue, type ReplayResult } from "../api/queue";

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

let flushing: Promise<ReplayResult | null> | null = null;

/**
 * Replays queued writes (one replay at a time). When any was sent or refused, every screen
 * hears QUEUE_EVENT (with the ReplayResult) and reloads; the app shell tells the user.
 */
export function flushQueue(): Promise<ReplayResult | null> {
  if (flushing) return flushing;
  flushing = (async () => {
    const pending = await pendingWrites().catch(() => []);
    if (!pending.length) return null;
    const result = await replayQueue();
    if (result.sent + result.dropped > 0) {
      window.dispatchEvent(new CustomEvent<ReplayResult>(QUEUE_EVENT, { detail: result }));
    }
    return result;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
