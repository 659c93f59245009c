/** Notification permission and the Web Push subscription of this device. */
import { api } from "../api/client";
import { idbGet, idbSet } from "../api/idb";
import type { PushSubscription as Device } from "../api/models";

/** iPadOS Safari says "Macintosh": a Mac has no touch screen. */
export function isIos(ua: string = navigator.userAgent, touchPoints: number = navigator.maxTouchPoints): boolean {
  return /iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1);
}

/** IndexedDB key: the service worker re-subscribes with the page's answer (it has no touch
 * points to tell an iPad from a Mac). */
export const SILENT_KEY = "silentCapable";

/**
 * Whether this browser can show a notification without sound or vibration, so it may get the
 * silent wrap-up cue (docs/push.md "Silent cues"): the Notification `silent` option exists,
 * and it is not iOS/iPadOS, where every browser is WebKit and a Home Screen app's
 * notification sounds as the system decides. The user agent (and touch points, for iPadOS)
 * is enough: standalone or not, an iPhone is an iPhone.
 */
export function silentCapable(
  ua: string = navigator.userAgent,
  touchPoints: number = navigator.maxTouchPoints,
  notification: { prototype: object } | undefined = globalThis.Notification,
): boolean {
  return !!notification && "silent" in notification.prototype && !isIos(ua, touchPoints);
}

export function isStandalone(): boolean {
  return (
    window.matchMedia?.("(display-mode: standalone)").matches ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true
  );
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** iOS only delivers Web Push to apps added to the Home Screen (16.4+). */
export function needsHomeScreenInstall(): boolean {
  return isIos() && !isStandalone();
}

export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const padded = (value + "=".repeat((4 - (value.length % 4)) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function deviceName(ua: string = navigator.userAgent): string {
  const os = /iPhone/.test(ua)
    ? "iPhone"
    : /iPad/.test(ua)
      ? "iPad"
      : /Android/.test(ua)
        ? "Android"
        : /Mac/.test(ua)
          ? "Mac"
          : /Windows/.test(ua)
            ? "Windows"
            : /Linux/.test(ua)
              ? "Linux"
              : "Device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "browser";
  return `${os} · ${browser}`;
}

/** The server's id of this browser's device, kept to find it again when the endpoint changes. */
export const DEVICE_ID_KEY = "pushDeviceId";
/** How long each step of "Turn on break reminders" may take before the person is told why. */
export const STEP_TIMEOUT_MS = 15_000;
/** The permission prompt waits for a person: longer, but not for ever (some browsers park it). */
export const PROMPT_TIMEOUT_MS = 30_000;

export type PushProblem = "unsupported" | "home-screen" | "denied" | "dismissed" | "no-worker" | "unreachable" | "server";

/** Why push could not be turned on, in words a person can act on. */
export class PushSetupError extends Error {
  constructor(
    readonly problem: PushProblem,
    message: string,
  ) {
    super(message);
    this.name = "PushSetupError";
  }
}

const MESSAGES: Record<PushProblem, string> = {
  unsupported: "This browser cannot receive notifications. Try Chrome, Edge, Firefox or Safari.",
  "home-screen":
    "On iPhone and iPad, reminders only arrive when Interlude is on your Home Screen: tap Share, then Add to Home Screen, and open Interlude from its icon.",
  denied: "Notifications are blocked. Allow them for this site in your browser settings, then try again.",
  dismissed: "The notification prompt was closed without an answer. Tap the button again and choose Allow.",
  "no-worker": "Interlude's offline helper is not running yet. Reload the page and try again.",
  unreachable:
    "Your browser's push service could not be reached. Check the connection (a VPN or firewall can block it) and try again.",
  server: "Interlude's server could not be reached. Try again when you have a connection.",
};

function fail(problem: PushProblem): PushSetupError {
  return new PushSetupError(problem, MESSAGES[problem]);
}

/** `promise`, or `problem` after `ms`: a step that hangs becomes a message, never a spinner. */
export function within<T>(promise: Promise<T>, ms: number, problem: PushProblem): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(problem)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function rememberedDeviceId(): Promise<string | undefined> {
  return idbGet<string>(DEVICE_ID_KEY).catch(() => undefined);
}

/**
 * Saves this browser's subscription on the server (only when the server does not have its
 * endpoint yet, or has another idea of whether it can show a silent cue) and removes the
 * device it replaces, if any: the change event cannot be relied on (iOS never fires it), so
 * every app open compares.
 */
async function register(subscription: PushSubscription, devices?: Device[]): Promise<Device> {
  const list = devices ?? (await api.subscriptions());
  const previousId = await rememberedDeviceId();
  const previous = list.find((d) => d.id === previousId);
  let mine = list.find((d) => d.endpoint === subscription.endpoint);
  const silent = silentCapable();
  await idbSet(SILENT_KEY, silent).catch(() => undefined);
  if (!mine || mine.silent_capable !== silent) {
    const json = subscription.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
    const label = mine?.label ?? previous?.label ?? deviceName();
    await idbSet("deviceLabel", label).catch(() => undefined);
    mine = await api.subscribe({ endpoint: json.endpoint, keys: json.keys, label, silent_capable: silent });
  }
  if (previous && previous.id !== mine.id) {
    await api.deleteSubscription(previous.id).catch(() => undefined);
  }
  await idbSet(DEVICE_ID_KEY, mine.id).catch(() => undefined);
  return mine;
}

/** Asks permission (must run from a tap), subscribes, and registers the device with the API.
 * Every step has a time limit and its own message (`PushSetupError`). */
export async function enablePush(): Promise<Device> {
  if (needsHomeScreenInstall()) throw fail("home-screen");
  if (!pushSupported()) throw fail("unsupported");
  const permission = await within(Notification.requestPermission(), PROMPT_TIMEOUT_MS, "dismissed");
  if (permission === "denied") throw fail("denied");
  if (permission !== "granted") throw fail("dismissed");
  const registration = await within(navigator.serviceWorker.ready, STEP_TIMEOUT_MS, "no-worker");
  let key: string;
  try {
    key = (await within(api.vapidKey(), STEP_TIMEOUT_MS, "server")).public_key;
  } catch (error) {
    throw error instanceof PushSetupError ? error : fail("server");
  }
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    try {
      subscription = await within(
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) }),
        STEP_TIMEOUT_MS,
        "unreachable",
      );
    } catch (error) {
      if (error instanceof PushSetupError) throw error;
      if ((error as Error).name === "NotAllowedError") throw fail("denied");
      throw fail("unreachable");
    }
  }
  return within(register(subscription), STEP_TIMEOUT_MS, "server");
}

export type DeliveryState = Device["health"] | "unsubscribed" | "off";

export interface DeliveryStatus {
  state: DeliveryState;
  since: string | null;
  device: Device | null;
}

/**
 * Run on every app open: re-reads this browser's PushSubscription and reconciles it with the
 * server, then says how delivery to this phone stands. `unsubscribed`: this browser had
 * reminders on (the server knows it) but holds no subscription now (iOS drops them silently);
 * `off`: reminders were never turned on here.
 */
export async function reconcilePush(): Promise<DeliveryStatus> {
  if (!pushSupported()) return { state: "off", since: null, device: null };
  const previousId = await rememberedDeviceId();
  const registration = await within(navigator.serviceWorker.getRegistration(), STEP_TIMEOUT_MS, "no-worker");
  const subscription = await registration?.pushManager.getSubscription();
  const devices = await api.subscriptions();
  const previous = devices.find((d) => d.id === previousId) ?? null;
  if (!subscription || Notification.permission !== "granted") {
    if (!previous) return { state: "off", since: null, device: null };
    return {
      state: previous.health === "gone" ? "gone" : "unsubscribed",
      since: previous.health_since ?? previous.last_receipt_at ?? previous.last_accepted_at,
      device: previous,
    };
  }
  const mine = await register(subscription, devices);
  return { state: mine.health, since: mine.health_since, device: mine };
}

/** One-tap repair: a fresh subscription (the old endpoint may be dead), then a test push,
 * whose receipt tells the server this phone shows notifications again. */
export async function repairPush(): Promise<Device> {
  if (needsHomeScreenInstall()) throw fail("home-screen");
  if (!pushSupported()) throw fail("unsupported");
  const registration = await within(navigator.serviceWorker.ready, STEP_TIMEOUT_MS, "no-worker");
  const old = await registration.pushManager.getSubscription();
  if (old) await old.unsubscribe().catch(() => false);
  const device = await enablePush();
  await within(api.testPush(), STEP_TIMEOUT_MS, "server").catch(() => undefined);
  return device;
}
