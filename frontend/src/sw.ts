/// <reference lib="webworker" />
/**
 * Interlude's service worker: precached app shell, break notifications and their actions,
 * push subscription renewal, and an update that waits for the user's "Update" tap.
 *
 * Notification actions post the ack (or "Notes done": PATCH /reminders/{id}/session) with
 * the session cookie (same-origin fetch) and the CSRF token the page copied into IndexedDB (a
 * worker cannot read cookies); offline, the write is queued in IndexedDB and the page replays
 * it when the connection returns. The wrap-up cue is shown silently (no sound, no vibration).
 *
 * Every notification shown is followed by a delivery receipt (docs/push.md "Device
 * health"), naming this device by the SHA-256 of its push endpoint. A receipt that cannot be
 * sent waits in Workbox's Background Sync queue: replayed on the `sync` event where the
 * browser has it (Chromium), otherwise when the worker next starts.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import type { PrecacheEntry } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { Queue } from "workbox-background-sync";
import { idbGet } from "./api/idb";
import { CSRF_HEADER, CSRF_KEY, enqueue, sendWrite } from "./api/queue";
import { ACK_ACTIONS, NOTES_DONE, notificationFor, parsePayload, type PushPayload } from "./lib/notify";

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (PrecacheEntry | string)[];
};

const NOT_THE_APP = [/^\/api\//, /^\/docs/, /^\/redoc/, /^\/openapi\.json/, /^\/healthz/, /^\/readyz/, /^\/metrics/];

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
// Every app URL (/, /break/<id>, /care-plan, ...) is the same shell, also offline.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: NOT_THE_APP }));

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

// --- push --------------------------------------------------------------------------------

// A day: a receipt older than that says nothing the next reminders will not.
const receipts = new Queue("interlude-receipts", { maxRetentionTime: 24 * 60 });

/** This device's name in receipts: hex SHA-256 of its push endpoint (as the server keys it). */
async function deviceHash(): Promise<string | null> {
  const subscription = await self.registration.pushManager.getSubscription();
  if (!subscription) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(subscription.endpoint));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function postReceipt(payload: PushPayload): Promise<void> {
  const id = payload.id ?? payload.reminder_id ?? null;
  const path = id ? `/api/v1/reminders/${encodeURIComponent(id)}/receipt` : "/api/v1/push/receipt";
  const device = await deviceHash().catch(() => null);
  const csrf = (await idbGet<string>(CSRF_KEY).catch(() => undefined)) ?? "";
  const request = new Request(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", [CSRF_HEADER]: csrf },
    body: JSON.stringify({ device }),
  });
  try {
    const response = await fetch(request.clone());
    if (response.status < 500) return; // recorded, or refused for good (4xx)
  } catch {
    // offline: queued below
  }
  await receipts.pushRequest({ request });
}

self.addEventListener("push", (event) => {
  // Always show a notification, inside waitUntil: browsers penalise silent pushes.
  const maxActions = (self as unknown as { Notification?: { maxActions?: number } }).Notification?.maxActions ?? 2;
  const payload = parsePayload(event.data);
  const { title, options } = notificationFor(payload, maxActions);
  event.waitUntil(
    self.registration
      .showNotification(title, options)
      .catch((error: unknown) => {
        console.error("Interlude: could not show the notification", error);
        throw error;
      })
      // Only what was shown gets a receipt.
      .then(() => postReceipt(payload).catch(() => undefined)),
  );
});

async function openApp(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const target = new URL(url, self.location.origin).href;
  for (const client of windows) {
    if (new URL(client.url).origin !== self.location.origin) continue;
    try {
      const focused = await client.focus();
      // The page routes itself: no reload, no lost state.
      focused.postMessage({ type: "NAVIGATE", url });
      return;
    } catch {
      // Focusing was refused (no user activation left, or the window is gone): open one.
      break;
    }
  }
  await self.clients.openWindow(target);
}

async function postAck(id: string, action: string, snoozeMinutes: number): Promise<void> {
  const path = `/api/v1/reminders/${encodeURIComponent(id)}/ack`;
  const body = action === "snooze" ? { action, snooze_minutes: snoozeMinutes } : { action };
  let response: Response;
  try {
    response = await sendWrite({ method: "POST", path, body });
  } catch {
    await enqueue({ method: "POST", path, body, label: `Break ${action}` });
    return;
  }
  // Signed out or the token changed: let the person finish it in the app.
  if (response.status === 401 || response.status === 403) await openApp(`/break/${id}`);
}

/** "Notes done" on a notification: ticks the session the reminder hangs on (a flag, never
 * text). Offline it waits in the queue like an ack. */
async function postNotesDone(id: string): Promise<void> {
  const path = `/api/v1/reminders/${encodeURIComponent(id)}/session`;
  const body = { notes_done: true };
  let response: Response;
  try {
    response = await sendWrite({ method: "PATCH", path, body });
  } catch {
    await enqueue({ method: "PATCH", path, body, label: "Notes done" });
    return;
  }
  if (response.status === 401 || response.status === 403) await openApp(`/break/${id}`);
}

self.addEventListener("notificationclick", (event) => {
  const notification = event.notification;
  const data = (notification.data ?? {}) as { id?: string | null; url?: string; snoozeMinutes?: number };
  notification.close();
  if (event.action === NOTES_DONE && data.id) {
    event.waitUntil(postNotesDone(data.id));
    return;
  }
  if (event.action && data.id && ACK_ACTIONS.has(event.action)) {
    event.waitUntil(postAck(data.id, event.action, data.snoozeMinutes ?? 5));
    return;
  }
  event.waitUntil(openApp(data.url ?? (data.id ? `/break/${data.id}` : "/")));
});

// --- subscription renewal ------------------------------------------------------------------

interface PushSubscriptionChangeEvent extends ExtendableEvent {
  readonly oldSubscription: PushSubscription | null;
  readonly newSubscription: PushSubscription | null;
}

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const raw = atob((value + "=".repeat((4 - (value.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function resubscribe(event: PushSubscriptionChangeEvent): Promise<void> {
  const csrf = (await idbGet<string>(CSRF_KEY).catch(() => undefined)) ?? "";
  const headers = { "Content-Type": "application/json", [CSRF_HEADER]: csrf };
  let subscription = event.newSubscription;
  if (!subscription) {
    const keyResponse = await fetch("/api/v1/push/vapid-public-key", { credentials: "same-origin" });
    const { public_key } = (await keyResponse.json()) as { public_key: string };
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(public_key),
    });
  }
  const label = (await idbGet<string>("deviceLabel").catch(() => undefined)) ?? "My device";
  // The page's answer (lib/push.ts silentCapable): a worker cannot tell an iPad from a Mac.
  const silent_capable = (await idbGet<boolean>("silentCapable").catch(() => undefined)) ?? false;
  await fetch("/api/v1/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: JSON.stringify({ ...subscription.toJSON(), label, silent_capable }),
  });
  // Remove the old endpoint from the server, if the browser told us which it was.
  const old = event.oldSubscription?.endpoint;
  if (!old) return;
  const list = await fetch("/api/v1/push/subscriptions", { credentials: "same-origin" });
  if (!list.ok) return;
  for (const device of (await list.json()) as { id: string; endpoint: string }[]) {
    if (device.endpoint === old) {
      await fetch(`/api/v1/push/subscriptions/${device.id}`, {
        method: "DELETE",
        credentials: "same-origin",
        headers,
      });
    }
  }
}

self.addEventListener("pushsubscriptionchange", (event) => {
  const change = event as PushSubscriptionChangeEvent;
  change.waitUntil(resubscribe(change).catch(() => undefined));
});
