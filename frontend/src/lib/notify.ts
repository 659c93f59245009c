/** Turns a push payload into the notification to show (pure: unit-tested, used by sw.ts). */

export const ACK_ACTIONS = new Set(["done", "snooze", "skip"]);
/** Marks the reminder's session "notes done" (PATCH /reminders/{id}/session). */
export const NOTES_DONE = "notes_done";
const SHOWN_ACTIONS = new Set([...ACK_ACTIONS, NOTES_DONE]);

/** Declarative Web Push (Safari 18.4+ shows it by itself), as the server sends it. */
export interface DeclarativeNotification {
  title?: string;
  body?: string;
  navigate?: string;
  tag?: string;
  silent?: boolean;
}

export interface PushPayload {
  web_push?: number;
  notification?: DeclarativeNotification;
  id?: string | null;
  reminder_id?: string | null;
  kind?: string;
  title?: string;
  body?: string;
  tag?: string;
  url?: string;
  actions?: { action: string; title: string }[];
  snooze_minutes?: number;
  /** The wrap-up cue: no sound, no vibration. */
  silent?: boolean;
}

interface RichNotificationOptions extends NotificationOptions {
  actions?: { action: string; title: string }[];
  renotify?: boolean;
  timestamp?: number;
}

export function parsePayload(data: { json(): unknown; text(): string } | null): PushPayload {
  if (!data) return {};
  try {
    return data.json() as PushPayload;
  } catch {
    return { body: data.text() };
  }
}

/**
 * `maxActions`: how many buttons the platform shows (Chrome: 2). The payload lists them by
 * importance (done, snooze, skip; with notes time done, notes done, snooze, skip), so a short
 * list keeps Done and Snooze (or Notes done); the rest stay one tap away on the Break screen.
 * A silent payload (the wrap-up cue) is shown with `silent: true` and never a vibration
 * pattern (the two together are a TypeError).
 */
export function notificationFor(payload: PushPayload, maxActions = 3): { title: string; options: RichNotificationOptions } {
  const id = payload.id ?? payload.reminder_id ?? null;
  const url = payload.url ?? (id ? `/break/${id}` : "/");
  const shown = payload.notification ?? {};
  const silent = payload.silent === true || shown.silent === true;
  return {
    title: shown.title || payload.title || "Time for a short break",
    options: {
      body: shown.body ?? payload.body ?? "",
      // One notification per reminder: a re-delivered push replaces it silently.
      tag: id ?? shown.tag ?? payload.tag ?? "interlude",
      renotify: false,
      ...(silent ? { silent: true } : {}),
      icon: "/icons/icon-192.png",
      // Android draws the badge from its alpha channel only: a one-colour glyph.
      badge: "/icons/badge-96.png",
      data: { id, url, snoozeMinutes: payload.snooze_minutes ?? 5 },
      // Where actions are not supported (iOS), tapping the notification opens the Break screen.
      actions: id ? (payload.actions ?? []).filter((a) => SHOWN_ACTIONS.has(a.action)).slice(0, maxActions) : [],
      timestamp: Date.now(),
    },
  };
}

