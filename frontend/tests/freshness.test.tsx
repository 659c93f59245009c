import { render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { User } from "../src/api/models";
import { Freshness } from "../src/components/Freshness";
import { AppContext } from "../src/lib/context";
import { FRESH_MS, resetFreshness, shouldAsk, updatedLabel } from "../src/lib/freshness";
import { json, mockFetch } from "./helpers";

const NOW = Date.parse("2026-11-23T19:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "UTC",
  created_at: "2026-11-01T00:00:00Z",
};

describe("updatedLabel", () => {
  it("says how old the last successful check is", () => {
    expect(updatedLabel(null, NOW)).toBeNull();
    expect(updatedLabel("not a date", NOW)).toBeNull();
    expect(updatedLabel(ago(20_000), NOW)).toBe("updated just now");
    expect(updatedLabel(ago(-5_000), NOW)).toBe("updated just now"); // server clock ahead
    expect(updatedLabel(ago(60_000), NOW)).toBe("updated 1 min ago");
    expect(updatedLabel(ago(2 * 60_000 + 59_000), NOW)).toBe("updated 2 min ago");
    expect(updatedLabel(ago(3 * 3600_000), NOW)).toBe("updated 3 h ago");
    expect(updatedLabel(ago(24 * 3600_000), NOW)).toBe("updated 1 day ago");
    expect(updatedLabel(ago(50 * 3600_000), NOW)).toBe("updated 2 days ago");
  });

  it("asks at most once a minute", () => {
    expect(shouldAsk(NOW, NOW - FRESH_MS + 1)).toBe(false);
    expect(shouldAsk(NOW, NOW - FRESH_MS)).toBe(true);
    expect(shouldAsk(NOW, -Infinity)).toBe(true);
  });
});

describe("Freshness", () => {
  beforeEach(() => {
    resetFreshness();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(NOW));
  });

  function show(onChanged = vi.fn(), who: User = user) {
    const view = render(
      <AppContext.Provider value={{ user: who, setUser: vi.fn(), toast: vi.fn() }}>
        <Freshness onChanged={onChanged} />
      </AppContext.Provider>,
    );
    return { onChanged, view };
  }

  it("freshens on open, shows the check time, reloads the day when something changed", async () => {
    const calls = mockFetch({
      "POST /api/v1/calendars/freshen": () =>
        json({ checked_at: ago(2 * 60_000), checked: 1, changed: true }),
    });
    const { onChanged, view } = show();
    await waitFor(() =>
      expect(screen.getByTestId("freshness").textContent).toBe("Calendar updated 2 min ago"),
    );
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);

    // Opened again within the minute (another screen and back): no second request, same line.
    view.unmount();
    const again = show();
    await waitFor(() =>
      expect(screen.getByTestId("freshness").textContent).toBe("Calendar updated 2 min ago"),
    );
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
    expect(again.onChanged).not.toHaveBeenCalled();
  });

  it("asks again on return to the app once the minute has passed", async () => {
    let answer = { checked_at: ago(0), checked: 1, changed: false };
    const calls = mockFetch({ "POST /api/v1/calendars/freshen": () => json(answer) });
    const { onChanged } = show();
    await waitFor(() =>
      expect(screen.getByTestId("freshness").textContent).toBe("Calendar updated just now"),
    );
    expect(onChanged).not.toHaveBeenCalled();

    vi.setSystemTime(new Date(NOW + 90_000));
    answer = { checked_at: new Date(NOW + 90_000).toISOString(), checked: 1, changed: true };
    document.dispatchEvent(new Event("visibilitychange"));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(calls.filter((c) => c.url === "/api/v1/calendars/freshen")).toHaveLength(2);
  });

  it("shows nothing without synced calendars or when the request fails", async () => {
    mockFetch({
      "POST /api/v1/calendars/freshen": () => json({ checked_at: null, checked: 0, changed: false }),
    });
    show();
    await waitFor(() => expect(screen.getByTestId("freshness").textContent?.trim()).toBe(""));
    resetFreshness();
    mockFetch({});
    show();
    await waitFor(() => expect(screen.getAllByTestId("freshness")[1].textContent?.trim()).toBe(""));
  });

  it("does not carry one user's answer over to the next", async () => {
    const calls = mockFetch({
      "POST /api/v1/calendars/freshen": () =>
        json({ checked_at: ago(5 * 60_000), checked: 1, changed: false }),
    });
    const first = show();
    await waitFor(() => expect(screen.getByTestId("freshness").textContent).toContain("5 min"));
    first.view.unmount();
    show(vi.fn(), { ...user, id: "u2" });
    await waitFor(() => expect(calls).toHaveLength(2)); // asked afresh for the new user
  });
});
