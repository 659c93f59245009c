import { describe, expect, it } from "vitest";
import type { Appointment, Reminder } from "../src/api/models";
import { dayStatus } from "../src/lib/day-status";
import { msToNextMinute } from "../src/lib/clock";
import { formatTime } from "../src/lib/time";

const NY = "America/New_York";
const session = (id: string, start: string, end: string, kind = "session"): Appointment => ({
  id,
  start,
  end,
  kind,
  source_id: "c1",
  all_day: false,
  telehealth: false,
  intense: false,
  notes_done: false,
  ran_over: false,
});
const breakAt = (id: string, due: string, minutes = 5, extra: Partial<Reminder> = {}): Reminder => ({
  id,
  kind: "micro_break",
  due_at: due,
  expires_at: new Date(Date.parse(due) + 10 * 60000).toISOString(),
  state: "planned",
  title: "Breathe",
  body: "",
  activity: "box_breathing",
  duration_minutes: minutes,
  ritual_steps: [],
  ritual_name: null,
  ritual_minutes: 0,
  notes_minutes: 0,
  attempts: 0,
  sent_at: null,
  delivered_at: null,
  last_error: null,
  ack_action: null,
  acked_at: null,
  snoozed_from_id: null,
  ...extra,
});
// 2026-11-23 in New York is EST (UTC-5): 14:00 local = 19:00Z.
const local = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00-05:00`);
const iso = (hhmm: string) => new Date(local(hhmm)).toISOString();
const day = [
  session("a", iso("13:00"), iso("13:50")),
  session("b", iso("14:00"), iso("14:50")),
  session("c", iso("15:00"), iso("15:50")),
];
const breaks = [breakAt("r1", iso("13:50"), 5), breakAt("r2", iso("14:50"), 5)];

describe("dayStatus (12-hour)", () => {
  it("at 13:52 after a break is done: free until the 14:00 client, in 8 min", () => {
    const done = [breakAt("r1", iso("13:50"), 5, { ack_action: "done" })];
    const s = dayStatus(local("13:52"), day, done, NY, true);
    expect(s.state).toBe("free");
    expect(s.headline).toBe("Free until 2:00 PM");
    expect(s.next).toBe("Next client 2:00 PM · in 8 min");
  });

  it("at 13:52 during a break: minutes left in the break, and the next client", () => {
    const s = dayStatus(local("13:52"), day, breaks, NY, true);
    expect(s.state).toBe("break");
    expect(s.headline).toBe("Break · 3 min left");
    expect(s.next).toBe("Next client 2:00 PM · in 8 min");
  });

  it("rounds part minutes up and is never 0 min before a start", () => {
    const s = dayStatus(local("13:59") + 30000, day, [], NY, true);
    expect(s.next).toBe("Next client 2:00 PM · in 1 min");
  });

  it("inside a session: until its end, and the client after it", () => {
    const s = dayStatus(local("14:20"), day, breaks, NY, true);
    expect(s.state).toBe("session");
    expect(s.headline).toBe("In session until 2:50 PM");
    expect(s.next).toBe("Next client 3:00 PM · in 40 min");
  });

  it("at the minute a session starts, it is in session", () => {
    expect(dayStatus(local("14:00"), day, breaks, NY, true).headline).toBe("In session until 2:50 PM");
  });

  it("a break never runs into the next session", () => {
    const long = [breakAt("r", iso("14:50"), 30)];
    expect(dayStatus(local("14:56"), day, long, NY, true).headline).toBe("Break · 4 min left");
  });

  it("skipped or cancelled breaks do not count as a break in progress", () => {
    const skipped = [breakAt("r1", iso("13:50"), 5, { ack_action: "skip" })];
    const cancelled = [breakAt("r1", iso("13:50"), 5, { state: "cancelled" })];
    expect(dayStatus(local("13:52"), day, skipped, NY, true).state).toBe("free");
    expect(dayStatus(local("13:52"), day, cancelled, NY, true).state).toBe("free");
  });

  it("before the first session, in the morning", () => {
    const s = dayStatus(local("08:00"), day, breaks, NY, true);
    expect(s.headline).toBe("Free until 1:00 PM");
    expect(s.next).toBe("Next client 1:00 PM · in 5 h 00 min");
  });

  it("after the last session", () => {
    const s = dayStatus(local("16:30"), day, breaks, NY, true);
    expect(s.state).toBe("done");
    expect(s.headline).toBe("No more sessions today");
    expect(s.next).toBeNull();
  });

  it("a day with no sessions (busy blocks and all-day events are not clients)", () => {
    const busy = [session("x", iso("10:00"), iso("11:00"), "busy"), { ...session("y", iso("00:00"), iso("23:59")), all_day: true }];
    const s = dayStatus(local("09:00"), busy, [], NY, true);
    expect(s.state).toBe("empty");
    expect(s.headline).toBe("No sessions today");
    expect(s.next).toBeNull();
  });

  it("across the spring-forward gap: 1:50 AM EST to a 3:00 AM EDT client is 10 minutes", () => {
    const early = [session("d", "2026-03-08T07:00:00Z", "2026-03-08T07:50:00Z")]; // 3:00 AM EDT
    const s = dayStatus(Date.parse("2026-03-08T06:50:00Z"), early, [], NY, true); // 1:50 AM EST
    expect(s.headline).toBe("Free until 3:00 AM");
    expect(s.next).toBe("Next client 3:00 AM · in 10 min");
  });

  it("across the fall-back hour: the second 1:30 AM is an hour after the first", () => {
    const repeat = [session("e", "2026-11-01T06:30:00Z", "2026-11-01T07:20:00Z")]; // 1:30 AM EST
    const s = dayStatus(Date.parse("2026-11-01T05:30:00Z"), repeat, [], NY, true); // 1:30 AM EDT
    expect(s.next).toBe("Next client 1:30 AM · in 1 h 00 min");
  });
});

describe("24-hour and the minute clock", () => {
  it("writes times in 24-hour style when asked", () => {
    const s = dayStatus(local("13:52"), day, [], NY, false);
    expect(s.headline).toBe("Free until 14:00");
    expect(formatTime(iso("09:05"), NY, false)).toBe("09:05");
    expect(formatTime(iso("09:05"), NY, true)).toBe("9:05 AM");
  });

  it("waits exactly until the next whole minute", () => {
    expect(msToNextMinute(local("13:52"))).toBe(60000);
    expect(msToNextMinute(local("13:52") + 59500)).toBe(500);
  });
});
