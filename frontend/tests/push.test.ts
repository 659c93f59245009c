import { afterEach, describe, expect, it, vi } from "vitest";
import { PushSetupError, within } from "../src/lib/push";
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
