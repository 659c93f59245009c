import { describe, expect, it } from "vitest";
import type { Suggestion } from "../src/api/models";
import { reason } from "../src/pages/WeekAhead";
import { HOUR_CYCLE_KEY } from "../src/lib/time";

const NY = "America/New_York";
// Tuesday 24 November 2026 in New York (EST, UTC-5).
const at = (hhmm: string) => new Date(`2026-11-24T${hhmm}:00-05:00`).toISOString();
const suggestion = (extra: Partial<Suggestion> = {}): Suggestion => ({
  id: "s1",
  kind: "back_to_back",
  date: "2026-11-24",
  start: at("16:35"),
  end: at("16:45"),
  position: "after",
  stretch_start: at("13:00"),
  stretch_end: at("16:35"),
  session_count: 4,
  anchor_start: at("15:45"),
  anchor_end: at("16:35"),
  held_id: null,
  expected_notes_backlog: 0,
  ...extra,
});

describe("a suggestion's reason, worded on the client", () => {
  it("names the day, the run and the session the buffer follows, in the user's zone", () => {
    localStorage.setItem(HOUR_CYCLE_KEY, "12");
    const text = reason(suggestion(), NY);
    expect(text).toMatch(/^Tuesday 1:00\sPM–4:35\sPM has 4 sessions in a row: /);
    expect(text).toMatch(/a 10-minute buffer after the 3:45\sPM session gives you a break\.$/);
  });

  it("follows the 24-hour choice and another zone", () => {
    localStorage.setItem(HOUR_CYCLE_KEY, "24");
    expect(reason(suggestion(), "Europe/London")).toContain("Tuesday 18:00–21:35 has 4 sessions");
    localStorage.removeItem(HOUR_CYCLE_KEY);
  });

  it("words a hold before the first session and a day without a break", () => {
    localStorage.setItem(HOUR_CYCLE_KEY, "24");
    const before = reason(suggestion({ position: "before", anchor_start: at("13:00") }), NY);
    expect(before).toContain("10 minutes before the 13:00 session gives you a break.");
    const noBreak = reason(
      suggestion({ kind: "no_break", session_count: 2, stretch_end: at("14:45") }),
      NY,
    );
    expect(noBreak).toBe(
      "Tuesday has no break of 10 minutes from 13:00 to 14:45: a 10-minute buffer after the 15:45 session gives you one.",
    );
    localStorage.removeItem(HOUR_CYCLE_KEY);
  });
});
