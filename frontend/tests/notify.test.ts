import { describe, expect, it } from "vitest";
import { EXERCISES, phaseAt, type Breathing } from "../src/lib/exercises";
import { notificationFor, parsePayload } from "../src/lib/notify";
import { base64UrlToBytes, deviceName, isIos } from "../src/lib/push";

describe("push notifications", () => {
  it("tags by reminder id, never renotifies, keeps only ack actions", () => {
    const { title, options } = notificationFor({
      id: "r-1",
      title: "Two-minute break",
      body: "Breathe",
      tag: "reminder-r-1",
      url: "/break/r-1",
      actions: [
        { action: "done", title: "Done" },
        { action: "snooze", title: "Snooze 5 min" },
        { action: "skip", title: "Skip" },
        { action: "evil", title: "x" },
      ],
    });
    expect(title).toBe("Two-minute break");
    expect(options.tag).toBe("r-1");
    expect(options.renotify).toBe(false);
    expect(options.actions?.map((a) => a.action)).toEqual(["done", "snooze", "skip"]);
    expect(options.data).toEqual({ id: "r-1", url: "/break/r-1", snoozeMinutes: 5 });
  });

  it("keeps the most important actions when the platform shows fewer", () => {
    const actions = ["done", "snooze", "skip"].map((action) => ({ action, title: action }));
    expect(notificationFor({ id: "r", actions }, 2).options.actions?.map((a) => a.action)).toEqual(["done", "snooze"]);
  });

  it("shows something sensible for an empty or test push", () => {
    expect(notificationFor(parsePayload(null)).title).toBe("Time for a short break");
    const test = notificationFor({ title: "Interlude", reminder_id: null, tag: "interlude-test", url: "/settings/devices" });
    expect(test.options.tag).toBe("interlude-test");
    expect(test.options.actions).toEqual([]);
    expect(parsePayload({ json: () => { throw new Error("x"); }, text: () => "hi" })).toEqual({ body: "hi" });
  });

  it("shows the wrap-up cue silently, with no buttons and no vibration", () => {
    const { options } = notificationFor({
      web_push: 8030,
      notification: { title: "Five minutes left", navigate: "https://x.test/break/w", tag: "reminder-w", silent: true },
      id: "w",
      kind: "wrap_up",
      actions: [],
      silent: true,
    });
    expect(options.silent).toBe(true);
    expect(options.actions).toEqual([]);
    expect("vibrate" in options).toBe(false);
    // An ordinary reminder leaves sound and vibration to the device's settings.
    expect("silent" in notificationFor({ id: "r" }).options).toBe(false);
  });

  it("keeps Notes done, second, so Chrome's two buttons are Done and Notes done", () => {
    const actions = ["done", "notes_done", "snooze", "skip"].map((action) => ({ action, title: action }));
    expect(notificationFor({ id: "r", actions }, 2).options.actions?.map((a) => a.action)).toEqual(["done", "notes_done"]);
    expect(notificationFor({ id: "r", actions }).options.actions?.map((a) => a.action)).toEqual(["done", "notes_done", "snooze"]);
  });

  it("falls back to the Break screen url", () => {
    expect(notificationFor({ id: "abc" }).options.data).toMatchObject({ url: "/break/abc" });
  });
});

describe("push helpers", () => {
  it("decodes base64url keys", () => {
    expect([...base64UrlToBytes("AQID_w")]).toEqual([1, 2, 3, 255]);
  });
  it("names devices and spots iOS", () => {
    const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
    expect(isIos(iphone)).toBe(true);
    expect(deviceName(iphone)).toBe("iPhone · Safari");
    expect(deviceName("Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36")).toBe("Android · Chrome");
  });
});

describe("breathing phases", () => {
  const box = EXERCISES.box_breathing as Breathing;
  const b478 = EXERCISES.breathing_478 as Breathing;
  it("walks box breathing in 4-second steps and wraps", () => {
    expect(phaseAt(box, 0)).toEqual({ index: 0, remaining: 4 });
    expect(phaseAt(box, 5)).toEqual({ index: 1, remaining: 3 });
    expect(phaseAt(box, 15)).toEqual({ index: 3, remaining: 1 });
    expect(phaseAt(box, 16)).toEqual({ index: 0, remaining: 4 });
  });
  it("walks 4-7-8", () => {
    expect(phaseAt(b478, 4).index).toBe(1);
    expect(phaseAt(b478, 11).index).toBe(2);
    expect(phaseAt(b478, 19).index).toBe(0);
  });

  it("reads a Declarative Web Push message and uses the one-colour badge", () => {
    const { title, options } = notificationFor({
      web_push: 8030,
      notification: { title: "Stretch", body: "Two minutes", navigate: "https://x.test/break/r1", tag: "reminder-r1" },
      id: "r1",
      url: "/break/r1",
    });
    expect(title).toBe("Stretch");
    expect(options.body).toBe("Two minutes");
    expect(options.tag).toBe("r1");
    expect(options.badge).toBe("/icons/badge-96.png");
    expect(options.data).toMatchObject({ id: "r1", url: "/break/r1" });
  });
});
