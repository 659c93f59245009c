/**
 * Writes made while offline wait in IndexedDB and are replayed, in order, on reconnect.
 * Used by the page (api client) and by the service worker (notification actions).
 */
import { idbAdd, idbAll, idbDelete, idbGet, QUEUE } from "./idb";

export const CSRF_KEY = "csrf";
export const CSRF_HEADER = "X-CSRF-Token";

export interface QueuedWrite {
  id?: number;
  method: string;
  path: string;
  body?: unknown;
  label: string; // what the user did, for the "n changes waiting" message
  queuedAt: number;
}

export function enqueue(write: Omit<QueuedWrite, "id" | "queuedAt">): Promise<IDBValidKey> {
  return idbAdd({ ...write, queuedAt: Date.now() });
}

export function pendingWrites(): Promise<QueuedWrite[]> {
  return idbAll<QueuedWrite>(QUEUE);
}

/** Sends one write with the session cookie and the stored CSRF token (page and worker). */
export async function sendWrite(
  write: Pick<QueuedWrite, "method" | "path" | "body">,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const csrf = (await idbGet<string>(CSRF_KEY).catch(() => undefined)) ?? "";
  return fetchImpl(write.path, {
    method: write.method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", [CSRF_HEADER]: csrf },
    body: write.body === undefined ? undefined : JSON.stringify(write.body),
  });
}

export interface ReplayResult {
  sent: number;
  dropped: number; // rejected by the server (4xx): replaying again would not help
  remaining: number;
}

/**
 * Sends queued writes oldest first. Stops at the first network failure (still offline) or
 * 5xx/401 (try later); a 4xx other than 401 drops the write, since it can never succeed.
 */
export async function replayQueue(fetchImpl: typeof fetch = fetch): Promise<ReplayResult> {
  const writes = (await pendingWrites()).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  let sent = 0;
  let dropped = 0;
  for (const [index, write] of writes.entries()) {
    let response: Response;
    try {
      response = await sendWrite(write, fetchImpl);
    } catch {
      return { sent, dropped, remaining: writes.length - index };
    }
    if (response.status >= 500 || response.status === 401) {
      return { sent, dropped, remaining: writes.length - index };
    }
    if (response.ok) sent += 1;
    else dropped += 1;
    await idbDelete(write.id as number, QUEUE);
  }
  return { sent, dropped, remaining: 0 };
}
