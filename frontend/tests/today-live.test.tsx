import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { idbAll, idbGet, idbSet, KV, QUEUE } from "../src/api/idb";
import type { User } from "../src/api/models";
import { enqueue } from "../src/api/queue";
import { App } from "../src/app";
import { AppContext } from "../src/lib/context";
import { forgetLocalData, PENDING_LOGOUT_KEY, signOut } from "../src/lib/forget";
import BreakScreen from "../src/pages/Break";
import { Today } from "../src/pages/Today";
import Wellbeing from "../src/pages/Wellbeing";
import { json, mockFetch } from "./helpers";

const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "UTC",
  created_at: "2026-11-01T00:00:00Z",
};
const at = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;
const session = (id: string, start: string, end: string) => ({
  id, start: at(start), end: at(end), kind: "session", source_id: "c", all_day: false, telehealth: false, intense: false,
});
const brk = (id: string, due: string, extra: Record<string, unknown> = {}) => ({
  id, kind: "micro_break", due_at: at(due), expires_at: at("23:00"), state: "planned", title: "Box breathing",
  body: "Two minutes of box breathing. Next session in 2 hours 10 minutes.", activity: "box_breathing",
  duration_minutes: 5, ritual_steps: [], ack_action: null, acked_at: null, ...extra,
});

function withApp(node: preact.ComponentChildren, toast = vi.fn()) {
  return render(<AppContext.Provider value={{ user, setUser: vi.fn(), toast }}>{node}</AppContext.Provider>);
}

beforeEach(() => {
  localStorage.setItem("interlude.hourCycle", "12");
});

describe("Today's live header", () => {
  it("at 13:52 says free until the 14:00 client, in 8 min, and ticks on the minute", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
    vi.setSystemTime(new Date(at("13:52")));
    mockFetch({
      "GET /api/v1/appointments": () => json([session("a", "13:00", "13:50"), session("b", "14:00", "14:50")]),
      "GET /api/v1/reminders": () => json([brk("r1", "13:50", { ack_action: "done" }), brk("r2", "14:50")]),
    });
    withApp(<Today />);
    await vi.waitFor(() => expect(screen.getByTestId("day-status").textContent).toContain("Free until 2:00 PM"));
    expect(screen.getByTestId("day-status").textContent).toContain("Next client 2:00 PM · in 8 min");
    await act(async () => {
      vi.advanceTimersByTime(60000);
    });
    expect(screen.getByTestId("day-status").textContent).toContain("in 7 min");
    // The now line sits between the past session/break and the next client; the past is dimmed.
    const list = screen.getByRole("list", { name: "Timeline" });
    const rows = Array.from(list.children).map((li) => li.getAttribute("data-testid") + (li.classList.contains("past") ? ":past" : ""));
    // The 13:50 break (5 min) is not over at 13:53; the session before it is.
    expect(rows).toEqual(["session:past", "break", "now-line", "session", "break"]);
    await act(async () => {
      vi.advanceTimersByTime(8 * 60000);
    });
    expect(screen.getByTestId("day-status").textContent).toContain("In session until 2:50 PM");
  });

  it("counts what it shows and says so on a day without sessions, with a calendar connected", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("08:00")));
    mockFetch({
      "GET /api/v1/appointments": () => json([]),
      "GET /api/v1/reminders": () => json([brk("gone", "10:00", { state: "cancelled" })]),
      "GET /api/v1/calendars": () => json([{ id: "c", name: "Practice" }]),
    });
    withApp(<Today />);
    await waitFor(() => expect(screen.getByTestId("no-sessions").textContent).toBe("No sessions today."));
    expect(screen.getByTestId("day-summary").textContent).toBe("0 sessions · 0 breaks planned");
    expect(screen.getByTestId("day-status").textContent).toBe("No sessions today");
    expect(screen.queryByRole("link", { name: "Connect a calendar" })).toBeNull();
  });

  it("offers to connect a calendar only when none is connected", async () => {
    mockFetch({
      "GET /api/v1/appointments": () => json([]),
      "GET /api/v1/reminders": () => json([]),
      "GET /api/v1/calendars": () => json([]),
    });
    withApp(<Today />);
    await waitFor(() => expect(screen.getByRole("link", { name: "Connect a calendar" })).toBeTruthy());
  });

  it("shows an ack waiting in the offline queue at once, marked pending", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("13:52")));
    await enqueue({ method: "POST", path: "/api/v1/reminders/r1/ack", body: { action: "done" }, label: "Break done" });
    mockFetch({
      "GET /api/v1/appointments": () => json([session("b", "14:00", "14:50")]),
      "GET /api/v1/reminders": () => json([brk("r1", "13:50")]),
      "POST /api/v1/reminders/r1/ack": () => json({ error: { message: "busy" } }, 503), // stays queued
    });
    withApp(<Today />);
    await waitFor(() => expect(screen.getByTestId("pending")).toBeTruthy());
    expect(screen.getByTestId("break").textContent).toContain("Done");
    // Done ends the break: the header no longer counts it down.
    expect(screen.getByTestId("day-status").textContent).toContain("Free until 2:00 PM");
  });
});

describe("Break screen", () => {
  it("says 'Next session in …' from now, not the text fixed when the break was planned", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("13:52")));
    mockFetch({
      "GET /api/v1/reminders/r1": () => json(brk("r1", "13:50")),
      "GET /api/v1/appointments": () => json([session("a", "13:00", "13:50"), session("b", "14:00", "14:50")]),
    });
    withApp(<BreakScreen id="r1" />);
    await waitFor(() => expect(screen.getByTestId("next-session").textContent).toBe("Next session in 8 min · 2:00 PM"));
    expect(screen.getByText("Two minutes of box breathing.")).toBeTruthy();
    expect(screen.queryByText(/2 hours 10 minutes/)).toBeNull();
    expect(screen.getByRole("button", { name: "Done" })).toBeTruthy();
  });

  it("shows a break already done as done, without asking again", async () => {
    mockFetch({
      "GET /api/v1/reminders/r1": () => json(brk("r1", "13:50", { ack_action: "done", acked_at: at("13:55") })),
    });
    withApp(<BreakScreen id="r1" />);
    await waitFor(() => expect(screen.getByTestId("break-done").textContent).toContain("Done at 1:55 PM"));
    expect(screen.queryByRole("button", { name: "Done" })).toBeNull();
  });
});

describe("shared phones", () => {
  it("signing out clears cached answers, the CSRF copy, the queue, caches and app keys", async () => {
    document.cookie = "interlude_csrf=tok; path=/";
    await idbSet("cache:/api/v1/me", { data: user, savedAt: 1 });
    await idbSet("csrf", "tok");
    await enqueue({ method: "POST", path: "/api/v1/wellbeing/checkins", body: { energy: 3 }, label: "Check-in" });
    localStorage.setItem("interlude.vibrate", "1");
    const deleted: string[] = [];
    vi.stubGlobal("caches", {
      keys: async () => ["workbox-precache-v2-x", "api-responses"],
      delete: async (name: string) => deleted.push(name) > 0,
    });
    const calls = mockFetch({ "POST /api/v1/auth/logout": () => json(null, 204) });
    await signOut();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain("POST /api/v1/auth/logout");
    expect(await idbGet("cache:/api/v1/me", KV)).toBeUndefined();
    expect(await idbGet("csrf", KV)).toBeUndefined();
    expect(await idbAll(QUEUE)).toEqual([]);
    expect(deleted).toEqual(["api-responses"]); // the app shell stays, so the app opens offline
    expect(localStorage.getItem("interlude.vibrate")).toBeNull();
    expect(document.cookie).not.toContain("interlude_csrf=tok");
  });

  it("an offline sign-out still forgets everything and ends the session later", async () => {
    document.cookie = "interlude_csrf=tok; path=/";
    await idbSet("cache:/api/v1/me", { data: user, savedAt: 1 });
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    await signOut();
    expect(await idbGet("cache:/api/v1/me", KV)).toBeUndefined();
    expect(localStorage.getItem(PENDING_LOGOUT_KEY)).toBe("tok");
  });

  it("a signed-out app never asks /me and shows nothing of the last user, even from the cache", async () => {
    await idbSet("cache:/api/v1/me", { data: user, savedAt: 1 });
    const calls = mockFetch({ "GET /api/v1/me": () => json(user) });
    history.replaceState(null, "", "/");
    render(<App />);
    await waitFor(() => expect(location.pathname).toBe("/welcome"));
    expect(calls.filter((c) => c.url.startsWith("/api/v1/me"))).toEqual([]);
    await waitFor(async () => expect(await idbGet("cache:/api/v1/me", KV)).toBeUndefined());
    expect(document.body.textContent).not.toContain("sam@example.com");
  });

  it("forgetLocalData keeps working without Cache Storage", async () => {
    await idbSet("x", 1);
    await forgetLocalData();
    expect(await idbGet("x", KV)).toBeUndefined();
  });
});


describe("breathing circle", () => {
  it("starts small and grows into the first breath like every later cycle", async () => {
    mockFetch({});
    withApp(<BreakScreen id="missing" />);
    await screen.findByText("Breathe in"); // once the reminder and the day have been read
    const shape = document.querySelector(".breath-shape") as HTMLElement;
    expect(shape.style.transform).toBe("scale(1)");
    await waitFor(() => expect(shape.style.transform).toBe("scale(1.8)"));
    expect(shape.style.transitionDuration).toBe("4s");
  });
});

describe("a check-in made offline", () => {
  it("shows at once under the form, marked pending, with the scales' anchors", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    const toast = vi.fn();
    withApp(<Wellbeing />, toast);
    // The screen appears once its settings and summary have answered (here: failed, offline).
    expect((await screen.findByTestId("energy-anchors")).textContent).toBe("1 = running on empty10 = full of energy");
    expect(screen.getByTestId("sleep-anchors").textContent).toContain("1 = very poor sleep");
    fireEvent.click(screen.getByRole("button", { name: "Energy 4 of 10" }));
    fireEvent.click(screen.getByRole("button", { name: "Save check-in" }));
    await waitFor(() => expect(toast).toHaveBeenCalledWith("Check-in saved on this phone; sent when online."));
    await waitFor(() => expect(screen.getByTestId("pending-checkins").textContent).toContain("energy 4"));
    expect(screen.getByTestId("pending-checkins").textContent).toContain("pending");
  });
});

describe("Break before and with a ritual", () => {
  it("offers no Done before the break begins, only Skip", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("13:45")));
    mockFetch({ "GET /api/v1/reminders/r1": () => json(brk("r1", "13:50")) });
    withApp(<BreakScreen id="r1" />);
    await waitFor(() => expect(screen.getByTestId("not-yet").textContent).toContain("This break starts at 1:50 PM."));
    expect(screen.queryByRole("button", { name: "Done" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Snooze 5" })).toBeNull();
    expect(screen.getByRole("button", { name: "Skip" })).toBeTruthy();
    vi.useRealTimers();
  });

  it("runs the ritual first, with a timer as long as the ritual", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("13:51")));
    const steps = ["Wash your hands", "Name three things you see"];
    mockFetch({
      "GET /api/v1/reminders/r1": () =>
        json(brk("r1", "13:50", { ritual_steps: steps, ritual_name: "Heavy reset", ritual_minutes: 4 })),
    });
    withApp(<BreakScreen id="r1" />);
    await waitFor(() => expect(screen.getByTestId("ritual-timer").textContent).toBe("4:00 left"));
    expect(screen.getByRole("heading", { name: "Your ritual: Heavy reset" })).toBeTruthy();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(steps);
    expect(screen.getByRole("button", { name: "Done" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Skip to the break" }));
    await waitFor(() => expect(screen.queryByTestId("ritual-phase")).toBeNull());
    expect(screen.getByRole("timer").textContent).toBe("2:00 left");
    vi.useRealTimers();
  });
});

describe("the session sheet", () => {
  it("shows a session's gaps and marks it intense, then re-reads the day", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(at("12:30")));
    let marked = false;
    const calls = mockFetch({
      "GET /api/v1/appointments": () =>
        json([session("a", "13:00", "13:50"), { ...session("b", "14:00", "14:50"), intense: marked }]),
      "GET /api/v1/reminders": () =>
        json([brk("r1", "13:50"), brk("r2", "14:50", marked ? { ritual_name: "Heavy reset", ritual_minutes: 4 } : {})]),
      "PATCH /api/v1/appointments/b": () => {
        marked = true;
        return json({ ...session("b", "14:00", "14:50"), intense: true });
      },
    });
    withApp(<Today />);
    await waitFor(() => expect(screen.getAllByTestId("session")).toHaveLength(2));
    expect(screen.queryByTestId("ritual")).toBeNull();
    fireEvent.click(screen.getAllByRole("button", { name: /Session until 2:50 PM/ })[0]);
    await waitFor(() => expect(screen.getByTestId("session-sheet")).toBeTruthy());
    expect(screen.getByTestId("gap-before").textContent).toBe("10 min (after 1:50 PM)");
    expect(screen.getByTestId("gap-after").textContent).toBe("Last of the day");
    fireEvent.click(screen.getByLabelText(/Intense session/)); // (jsdom: a dialog is outside the a11y tree)
    await waitFor(() => expect(screen.getByTestId("ritual").textContent).toContain("Ritual: Heavy reset · 4 min"));
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({ intense: true });
    expect(screen.getAllByTestId("marks")[0].textContent).toBe(" · intense");
    vi.useRealTimers();
  });
});
