/** Notes time on the screens: the words, held time on the timeline, the backlog card on
 * Today (ticked down to zero), the session sheet's marks and the Break screen's notes segment. */
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { HeldTime, User } from "../src/api/models";
import { EndingOnTime, NOTES_DEFAULTS, NotesTime } from "../src/components/NotesSettings";
import type { CarePlanSettings } from "../src/api/models";
import { AppContext } from "../src/lib/context";
import { backlogText, gapSplit, ranOverText } from "../src/lib/notes";
import { buildTimeline, countShown, isPast } from "../src/lib/timeline";
import BreakScreen from "../src/pages/Break";
import { Today } from "../src/pages/Today";
import { NotesAndRunningOver } from "../src/pages/Wellbeing";
import { notesBacklogText } from "../src/pages/WeekAhead";
import { json, mockFetch, type Call } from "./helpers";

const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "UTC",
  created_at: "2026-11-01T00:00:00Z",
};

function withApp(node: preact.ComponentChildren) {
  return render(<AppContext.Provider value={{ user, setUser: vi.fn(), toast: vi.fn() }}>{node}</AppContext.Provider>);
}

const day = new Date().toISOString().slice(0, 10);
const at = (hhmm: string) => `${day}T${hhmm}:00Z`;
const session = (id: string, start: string, end: string, extra = {}) => ({
  id,
  start: at(start),
  end: at(end),
  kind: "session",
  source_id: "c",
  all_day: false,
  telehealth: false,
  intense: false,
  notes_done: false,
  ran_over: false,
  ...extra,
});
const held: HeldTime = { id: "h1", start: at("16:00"), end: at("16:10"), label: "Break (Interlude)", calendar_writes: [] };

describe("words", () => {
  it("splits a gap in the care plan's order", () => {
    const r = { kind: "micro_break", duration_minutes: 2, notes_minutes: 10 };
    expect(gapSplit(r)).toBe("break 2 min, then notes 10 min");
    expect(gapSplit(r, "notes_first")).toBe("notes 10 min, then break 2 min");
    expect(gapSplit({ kind: "notes", duration_minutes: 10, notes_minutes: 10 })).toBe("notes 10 min");
    expect(gapSplit({ kind: "micro_break", duration_minutes: 2, notes_minutes: 0 })).toBeNull();
  });

  it("counts the backlog and the ran-over share", () => {
    expect(backlogText(3)).toBe("Notes open: 3 sessions");
    expect(backlogText(1)).toBe("Notes open: 1 session");
    expect(ranOverText({ ran_over: 3, sessions_ended: 40, ran_over_days: 28 })).toBe(
      "ran over: 3 of 40 sessions in 28 days",
    );
  });

  it("words the week's expected backlog", () => {
    expect(notesBacklogText(2)).toBe("Notes will not fit after 2 sessions");
    expect(notesBacklogText(1)).toBe("Notes will not fit after 1 session");
  });
});

describe("held time on the timeline", () => {
  it("is a block in time order, not counted as a session or a break, past once it ends", () => {
    const items = buildTimeline([session("a", "15:00", "15:50")], [], [held]);
    expect(items.map((i) => i.type)).toEqual(["session", "held"]);
    expect(countShown(items)).toEqual({ sessions: 1, breaks: 0 });
    expect(isPast(items[1], Date.parse(at("16:05")))).toBe(false);
    expect(isPast(items[1], Date.parse(at("16:10")))).toBe(true);
  });
});

describe("Today with notes time on", () => {
  let calls: Call[];
  let open: string[];
  beforeEach(() => {
    open = ["s1", "s2"];
    const notes = () =>
      json({
        enabled: true,
        backlog_days: 7,
        backlog: open.length,
        sessions: open.map((id) => ({ id, start: at(id === "s1" ? "00:00" : "00:01"), end: at("00:01") })),
        ran_over_days: 28,
        sessions_ended: 2,
        ran_over: 0,
      });
    calls = mockFetch({
      "GET /api/v1/appointments": () => json([session("s1", "00:00", "00:01"), session("s2", "00:01", "00:02")]),
      "GET /api/v1/reminders": () => json([]),
      "GET /api/v1/week-ahead/held-time": () => json([held]),
      "GET /api/v1/wellbeing/notes": notes,
      "GET /api/v1/care-plan": () => json({ settings: { notes_order: "break_first" } }),
      "PATCH /api/v1/appointments/s1": (c) => {
        open = open.filter((id) => id !== "s1");
        return json(session("s1", "00:00", "00:01", c.body as object));
      },
      "PATCH /api/v1/appointments/s2": (c) => {
        open = open.filter((id) => id !== "s2");
        return json(session("s2", "00:01", "00:02", c.body as object));
      },
    });
  });

  it("shows the backlog until it is zero, and the held time", async () => {
    withApp(<Today />);
    const card = await screen.findByTestId("notes-backlog");
    expect(card.querySelector("h2")?.textContent).toBe("Notes open: 2 sessions");
    expect(screen.getByTestId("held").textContent).toContain("Break (Interlude)");
    const reads = () => calls.filter((c) => c.url === "/api/v1/wellbeing/notes").length;
    expect(reads()).toBe(1);
    fireEvent.click(screen.getAllByRole("button", { name: /^Notes done/ })[0]);
    const heading = () => screen.getByTestId("notes-backlog").querySelector("h2")?.textContent;
    await waitFor(() => expect(heading()).toBe("Notes open: 1 session"));
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({ notes_done: true });
    // Read again after the tick: still one open (the tick is not counted twice).
    await waitFor(() => expect(reads()).toBe(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(heading()).toBe("Notes open: 1 session");
    fireEvent.click(screen.getByRole("button", { name: /^Notes done/ }));
    await waitFor(() => expect(screen.queryByTestId("notes-backlog")).toBeNull());
  });
});

describe("Break with notes time", () => {
  it("shows the notes segment after the break and marks the session", async () => {
    const due = new Date(Date.now() - 60000).toISOString();
    const calls = mockFetch({
      "GET /api/v1/reminders/r1": () =>
        json({
          id: "r1",
          kind: "micro_break",
          due_at: due,
          expires_at: new Date(Date.now() + 600000).toISOString(),
          state: "sent",
          title: "Two-minute break",
          body: "2-minute break, then notes for your 1:00 PM session.",
          activity: "box_breathing",
          duration_minutes: 2,
          notes_minutes: 10,
          ritual_steps: [],
          ritual_name: null,
          ritual_minutes: 0,
          ack_action: null,
          acked_at: null,
        }),
      "GET /api/v1/care-plan": () => json({ settings: { notes_order: "break_first" } }),
      "GET /api/v1/appointments": () => json([]),
      "PATCH /api/v1/reminders/r1/session": (c) => json(session("s1", "00:00", "00:01", c.body as object)),
    });
    withApp(<BreakScreen id="r1" />);
    const notes = await screen.findByRole("button", { name: "Notes · 10 min" });
    expect(notes.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(notes);
    const segment = await screen.findByTestId("notes-phase");
    expect(screen.getByTestId("notes-timer").textContent).toBe("10:00 left");
    fireEvent.click(screen.getByRole("button", { name: "Ran over" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ ran_over: true });
    fireEvent.click(screen.getByRole("button", { name: "Notes done" }));
    await waitFor(() => expect(segment.textContent).toContain("✓ Notes done"));
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([{ ran_over: true }, { notes_done: true }]);
  });
});

describe("Well-being's notes card", () => {
  const load = { enabled: true, backlog_days: 7, backlog: 3, sessions: [], ran_over_days: 28, sessions_ended: 40, ran_over: 3 };

  it("shows the backlog and the ran-over share", () => {
    render(<NotesAndRunningOver notes={load} />);
    expect(screen.getByTestId("notes-load-backlog").textContent).toBe("Notes open: 3 sessions (last 7 days)");
    expect(screen.getByTestId("notes-load-ran-over").textContent).toBe("Sessions ran over: 3 of 40 sessions in 28 days (8 %)");
  });

  it("points to the care plan while notes time is off, and has no share without sessions", () => {
    render(<NotesAndRunningOver notes={{ ...load, enabled: false, backlog: 0, sessions_ended: 0, ran_over: 0 }} />);
    expect(screen.getByRole("link", { name: "Turn it on in your care plan" }).getAttribute("href")).toBe("/care-plan");
    expect(screen.getByTestId("notes-load-ran-over").textContent).toBe("Sessions ran over: 0 of 0 sessions in 28 days");
  });
});

describe("Care plan's notes and wrap-up sections", () => {
  const settings = { ...NOTES_DEFAULTS, quiet_start: null, daily_cap: 8 } as unknown as CarePlanSettings;

  it("saves notes time with its order, look-back and end-of-day reminder", () => {
    const onSave = vi.fn();
    render(<NotesTime settings={settings} pending={false} onSave={onSave} />);
    fireEvent.input(screen.getByLabelText("Minutes of notes after a session (0 = off)"), { target: { value: "10" } });
    fireEvent.change(screen.getByLabelText("For"), { target: { value: "intense" } });
    fireEvent.change(screen.getByLabelText("Order in the gap"), { target: { value: "notes_first" } });
    fireEvent.click(screen.getByRole("checkbox"));
    fireEvent.click(screen.getByRole("button", { name: "Save notes time" }));
    expect(onSave).toHaveBeenCalledWith({
      notes_minutes: 10,
      notes_applies_to: "intense",
      notes_order: "notes_first",
      notes_backlog_days: 7,
      notes_end_of_day: false,
    });
  });

  it("says the wrap-up cue is silent and saves it", () => {
    const onSave = vi.fn();
    render(<EndingOnTime settings={settings} pending={false} onSave={onSave} />);
    expect(screen.getByTestId("wrap-up-settings").textContent).toContain("no sound and no vibration");
    expect(screen.getByTestId("wrap-up-settings").textContent).toContain("cannot show a notification silently");
    fireEvent.input(screen.getByLabelText("Minutes before a session ends (0 = off)"), { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save wrap-up cue" }));
    expect(onSave).toHaveBeenCalledWith({ wrap_up_minutes: 5, wrap_up_applies_to: "every" });
  });
});
