/**
 * Care-plan edits waiting in the offline queue, applied to the cached plan so the screen shows
 * them at once (each marked "pending" until it is sent). The queue stays the source of truth:
 * on reconnect the writes go out and the screen reloads the server's plan.
 */
import type { CarePlan } from "../api/models";
import type { QueuedWrite } from "../api/queue";

const LISTS = { "micro-breaks": "micro_breaks", rituals: "rituals", "time-off": "time_off" } as const;
const ITEM = /^\/api\/v1\/care-plan\/(micro-breaks|rituals|time-off)(?:\/([^/]+))?$/;

export interface PendingPlan {
  plan: CarePlan;
  /** Ids of items (and "settings", "response_windows") changed by a queued write. */
  pending: Set<string>;
}

export function applyPendingPlan(plan: CarePlan, writes: QueuedWrite[]): PendingPlan {
  const next = { ...plan } as CarePlan;
  // The three lists share one shape as far as this is concerned: items with an id.
  const lists = next as unknown as Record<(typeof LISTS)[keyof typeof LISTS], ({ id: string } & Record<string, unknown>)[]>;
  const pending = new Set<string>();
  for (const w of writes) {
    const body = (w.body ?? {}) as Record<string, unknown>;
    if (w.path === "/api/v1/care-plan/settings" && w.method === "PATCH") {
      next.settings = { ...next.settings, ...body };
      pending.add("settings");
      continue;
    }
    if (w.path === "/api/v1/care-plan/response-windows" && w.method === "PUT") {
      const windows = (w.body as object[]).map((win, i) => ({ ...win, id: `pending-${w.id}-${i}` }));
      next.response_windows = windows as CarePlan["response_windows"];
      pending.add("response_windows");
      continue;
    }
    const match = ITEM.exec(w.path);
    if (!match) continue;
    const key = LISTS[match[1] as keyof typeof LISTS];
    const list = lists[key];
    const id = match[2] ? decodeURIComponent(match[2]) : `pending-${w.id}`;
    if (w.method === "POST" && !match[2]) lists[key] = [...list, { enabled: true, ...body, id }];
    else if (w.method === "PATCH") lists[key] = list.map((item) => (item.id === id ? { ...item, ...body } : item));
    else if (w.method === "DELETE") lists[key] = list.filter((item) => item.id !== id);
    else continue;
    pending.add(id);
  }
  return { plan: next, pending };
}
