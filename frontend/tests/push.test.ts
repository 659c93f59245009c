import { afterEach, describe, expect, it, vi } from "vitest";
import { api, type PushSubscription as Device } from "../src/api/client";
import { idbGet } from "../src/api/idb";
import { PushSetupError, reconcilePush, SILENT_KEY, silentCapable, within } from "../src/lib/push";
import { sinceWords } from "../src/components/DeliveryBanner";

describe("turning reminders on never hangs", () => {
  afterEach(() => vi.useRealTimers());

  it("a step that never answers becomes its own message", async () => {
    vi.useFakeTimers();
    const stuck = within(new Promise<never>(() => undefined), 15_000, "unreachable");
    const seen = stuck.catch((e: unknown) => e);
    vi.advanceTimersByTime(15_000);
    const error = (await seen) as PushSetupError;
    expect(error).toBeInstanceOf(PushSetupError);
    expect(error.problem).toBe("unreachable");
    expect(error.message).toMatch(/push service could not be reached/);
  });

  it("a step that answers in time passes its answer and its own errors through", async () => {
    await expect(within(Promise.resolve(7), 1000, "server")).resolves.toBe(7);
    await expect(within(Promise.reject(new Error("boom")), 1000, "server")).rejects.toThrow("boom");
  });
});

describe("the banner's since", () => {
  it("names the weekday and the time in the therapist's zone", () => {
    // 2026-12-01 is a Tuesday; 22:50 UTC is 2:50 PM in Los Angeles.
    expect(sinceWords("2026-12-01T22:50:00Z", "America/Los_Angeles", "en-US")).toBe("Tuesday 2:50 PM");
  });
});

describe("which devices get the silent wrap-up cue", () => {
  const withSilent = { prototype: { silent: false } };
  const withoutSilent = { prototype: {} };
  const android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36";
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 Version/18.4 Mobile/15E148 Safari/604.1";
  const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.4 Safari/605.1.15";

  it("is a browser with the silent option that is not iOS or iPadOS", () => {
    expect(silentCapable(android, 5, withSilent)).toBe(true);
    expect(silentCapable(mac, 0, withSilent)).toBe(true);
    expect(silentCapable(iphone, 5, withSilent)).toBe(false);
    // iPadOS Safari says "Macintosh": its touch screen gives it away.
    expect(silentCapable(mac, 5, withSilent)).toBe(false);
  });

  it("is never a browser without the option or without notifications", () => {
    expect(silentCapable(android, 5, withoutSilent)).toBe(false);
    expect(silentCapable(android, 5, undefined)).toBe(false);
  });
});

describe("reconciling tells the server whether this browser can show a silent cue", () => {
  const endpoint = "https://fcm.googleapis.com/fcm/send/abc";
  const device = {
    id: "d1",
    label: "Work phone",
    endpoint,
    health: "ok",
    health_since: null,
    silent_capable: false,
  } as unknown as Device;

  function stubBrowser(silent: boolean) {
    const subscription = { endpoint, toJSON: () => ({ endpoint, keys: { p256dh: "p", auth: "a" } }) };
    const registration = { pushManager: { getSubscription: async () => subscription } };
    vi.stubGlobal("navigator", {
      userAgent: "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36",
      maxTouchPoints: 5,
      serviceWorker: { getRegistration: async () => registration },
    });
    vi.stubGlobal("PushManager", class {});
    vi.stubGlobal("Notification", Object.assign(function Notification() {}, {
      permission: "granted",
      prototype: silent ? { silent: false } : {},
    }));
  }

  it("re-posts a known device whose capability changed, keeping its label", async () => {
    stubBrowser(true);
    vi.spyOn(api, "subscriptions").mockResolvedValue([device]);
    const subscribe = vi.spyOn(api, "subscribe").mockResolvedValue({ ...device, silent_capable: true });
    const status = await reconcilePush();
    expect(subscribe).toHaveBeenCalledWith({
      endpoint,
      keys: { p256dh: "p", auth: "a" },
      label: "Work phone",
      silent_capable: true,
    });
    expect(status.device?.silent_capable).toBe(true);
    // The service worker re-subscribes with the page's answer.
    expect(await idbGet(SILENT_KEY)).toBe(true);
  });

  it("leaves a device alone when the server already agrees", async () => {
    stubBrowser(false);
    vi.spyOn(api, "subscriptions").mockResolvedValue([device]);
    const subscribe = vi.spyOn(api, "subscribe");
    await reconcilePush();
    expect(subscribe).not.toHaveBeenCalled();
  });
});
