/**
 * Shared phones: when someone signs out (or deletes the account, or the session is gone),
 * nothing of theirs stays on the device — cached API answers and the CSRF copy in IndexedDB,
 * offline edits not yet sent, this device's push subscription and shown notifications, any
 * Cache Storage entry other than the app shell, and the app's own localStorage keys.
 */
import { api, CSRF_COOKIE, readCookie } from "../api/client";
import { idbClear, KV, QUEUE } from "../api/idb";
import { CSRF_HEADER } from "../api/queue";

/** A sign-out that could not reach the server: its CSRF token, to finish it when back online. */
export const PENDING_LOGOUT_KEY = "interlude.pendingLogout";
const PRECACHE = /^workbox-precache/;

/** Whether a session cookie can exist: its readable CSRF twin lives exactly as long. */
export function mayBeSignedIn(): boolean {
  return readCookie(CSRF_COOKIE) !== null;
}

function dropCsrfCookie(): void {
  document.cookie = `${CSRF_COOKIE}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
}

/** Stops this phone receiving the signed-out user's reminders. */
async function dropPush(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration?.().catch(() => undefined);
  if (!registration) return;
  for (const n of await registration.getNotifications?.().catch(() => []) ?? []) n.close();
  await (await registration.pushManager?.getSubscription().catch(() => null))?.unsubscribe().catch(() => false);
}

/** Removes every trace of the signed-in user from this device (not the app shell). */
export async function forgetLocalData(): Promise<void> {
  await Promise.all([
    idbClear(KV).catch(() => undefined),
    idbClear(QUEUE).catch(() => undefined),
    dropPush().catch(() => undefined),
    (async () => {
      if (typeof caches === "undefined") return;
      for (const name of await caches.keys()) if (!PRECACHE.test(name)) await caches.delete(name);
    })().catch(() => undefined),
  ]);
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("interlude.") && key !== PENDING_LOGOUT_KEY) localStorage.removeItem(key);
    }
    sessionStorage.clear();
  } catch {
    /* storage disabled: nothing kept there either */
  }
}

/** After the account is deleted (the server already ended the session). */
export async function forgetUser(): Promise<void> {
  dropCsrfCookie();
  await forgetLocalData();
}

/** This phone's push subscription, removed from the server while the session still exists. */
async function unregisterThisDevice(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration?.();
  const endpoint = (await registration?.pushManager?.getSubscription())?.endpoint;
  if (!endpoint) return;
  for (const device of await api.subscriptions()) {
    if (device.endpoint === endpoint) await api.deleteSubscription(device.id);
  }
}

/** Ends the server session (or remembers to), then forgets everything local. */
export async function signOut(): Promise<void> {
  const csrf = readCookie(CSRF_COOKIE);
  await unregisterThisDevice().catch(() => undefined);
  try {
    await api.logout();
  } catch {
    // Offline: the HttpOnly session cookie cannot be removed from here; finish on reconnect.
    if (csrf) localStorage.setItem(PENDING_LOGOUT_KEY, csrf);
  }
  dropCsrfCookie();
  await forgetLocalData();
}

/** At start: a sign-out made offline is sent now (the cookie still carries that session). */
export async function finishPendingLogout(): Promise<void> {
  const csrf = localStorage.getItem(PENDING_LOGOUT_KEY);
  if (!csrf || !navigator.onLine) return;
  try {
    const response = await fetch("/api/v1/auth/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { [CSRF_HEADER]: csrf },
    });
    if (response.ok || response.status === 401 || response.status === 403) {
      localStorage.removeItem(PENDING_LOGOUT_KEY);
    }
  } catch {
    /* still offline */
  }
}
