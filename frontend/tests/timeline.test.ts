import { describe, expect, it } from "vitest";
import type { Appointment, Reminder } from "../src/api/models";
import {
  backToBackIds,
  buildTimeline,
  countShown,
  gapsAround,
  isPast,
  nextBreak,
  nowIndex,
  ritualLabel,
} from "../src/lib/timeline";

const at = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;
const session = (id: string, start: string, end: string): Appointment => ({
  id,
  start: at(start),
  end: at(end),
  kind: "session",
  source_id: "calendar-1",
  all_day: false,
  telehealth: false,
  intense: false,
  notes_done: false,
  ran_over: false,
});
const reminder = (id: string, due: string, extra: Partial<Reminder> = {}): Reminder => ({
  id,
  kind: "micro_break",
  due_at: at(due),
  expires_at: at(due).replace(/:00:00Z$/, ":09:00Z"),
  state: "planned",
  title: "Breathe",
  body: "",
  activity: "box_breathing",
  duration_minutes: 2,
  ritual_steps: [],
  ritual_name: null,
  ritual_minutes: 0,
  notes_minutes: 0,
  ack_action: null,
  acked_at: null,
  attempts: 0,
  sent_at: null,
  delivered_at: null,
  last_error: null,
  snoozed_from_id: null,
  ...extra,
});

describe("back-to-back runs", () => {
  it("marks three sessions with short gaps, not a pair", () => {
    const ids = backToBackIds([
      session("a", "14:00", "14:50"),
      session("b", "14:55", "15:45"),
      session("c", "15:50", "16:40"),
      session("d", "18:00", "18:50"),
      session("e", "18:55", "19:45"),
    ]);
    expect([...ids].sort()).toEqual(["a", "b", "c"]);
  });

  it("a ten-minute gap breaks the run; other events do not count", () => {
    const ids = backToBackIds([
      session("a", "14:00", "14:50"),
      session("b", "14:55", "15:45"),
      session("c", "15:55", "16:45"),
      { ...session("x", "16:46", "17:00"), kind: "other" },
    ]);
    expect(ids.size).toBe(0);
  });
});

describe("timeline", () => {
  it("orders sessions and breaks by time, a reminder before a session at the same minute, drops cancelled", () => {
    const items = buildTimeline(
      [session("b", "15:00", "15:50"), session("a", "14:00", "15:00")],
      [reminder("r1", "15:00"), reminder("gone", "16:00", { state: "cancelled" })],
    );
    expect(items.map((i) => (i.type === "session" ? i.appointment.id : i.reminder.id))).toEqual(["a", "r1", "b"]);
  });

  it("finds the next open break", () => {
    const reminders = [
      reminder("done", "14:00", { ack_action: "done" }),
      reminder("next", "15:00"),
      reminder("later", "16:00"),
      reminder("heads-up", "14:30", { kind: "back_to_back" }),
    ];
    expect(nextBreak(reminders, Date.parse(at("14:10")))?.id).toBe("next");
    expect(nextBreak(reminders, Date.parse(at("15:05")))?.id).toBe("next"); // still open until expiry
    expect(nextBreak(reminders, Date.parse(at("17:00")))).toBeNull();
  });

  it("keeps a break done before it was sent (the server cancels its push) as done", () => {
    const early = reminder("early", "15:00", { state: "cancelled", ack_action: "done" });
    const items = buildTimeline([], [early, reminder("gone", "16:00", { state: "cancelled" })]);
    expect(items.map((i) => (i.type === "reminder" ? i.reminder.id : ""))).toEqual(["early"]);
    expect(countShown(items).breaks).toBe(1);
    expect(nextBreak([early], Date.parse(at("14:00")))).toBeNull();
  });

  it("does not call a break from hours ago the next one, even before its expiry", () => {
    const stale = reminder("old", "11:50", { expires_at: at("14:00") });
    expect(nextBreak([stale], Date.parse(at("13:52")))).toBeNull();
    expect(nextBreak([stale], Date.parse(at("11:55")))?.id).toBe("old");
  });

  it("counts what it shows: cancelled reminders and busy blocks are not counted", () => {
    const busy = { ...session("x", "12:00", "13:00"), kind: "busy" };
    const items = buildTimeline(
      [session("a", "14:00", "14:50"), session("b", "15:00", "15:50"), busy],
      [reminder("r1", "14:50"), reminder("gone", "15:50", { state: "cancelled" }), reminder("h", "13:55", { kind: "back_to_back" })],
    );
    expect(countShown(items)).toEqual({ sessions: 2, breaks: 1 });
  });

  it("places the now line and dims what is over", () => {
    const items = buildTimeline([session("a", "14:00", "14:50"), session("b", "15:00", "15:50")], [reminder("r1", "14:50")]);
    const now = Date.parse(at("14:51"));
    expect(nowIndex(items, now)).toBe(2);
    expect(items.map((i) => isPast(i, now))).toEqual([true, false, false]);
    expect(isPast(items[1], Date.parse(at("14:52")))).toBe(true);
    expect(nowIndex(items, Date.parse(at("08:00")))).toBe(0);
    expect(nowIndex(items, Date.parse(at("20:00")))).toBe(3);
  });
});

describe("a session's gaps", () => {
  const day = [
    session("a", "13:00", "13:50"),
    session("b", "14:00", "14:50"),
    session("c", "14:50", "15:40"),
    { ...session("off", "00:00", "23:59"), all_day: true },
  ];
  it("measures to the neighbours, ignoring all-day events", () => {
    expect(gapsAround(day, "a")).toEqual({ before: null, previousEnd: null, after: 10, nextStart: at("14:00") });
    expect(gapsAround(day, "b")).toEqual({ before: 10, previousEnd: at("13:50"), after: 0, nextStart: at("14:50") });
    expect(gapsAround(day, "c")).toEqual({ before: 0, previousEnd: at("14:50"), after: null, nextStart: null });
  });
  it("counts an overlap as no gap, and knows nothing of an unknown id", () => {
    const overlap = [session("a", "13:00", "14:10"), session("b", "14:00", "14:50")];
    expect(gapsAround(overlap, "b").before).toBe(0);
    expect(gapsAround(overlap, "a").after).toBe(0);
    expect(gapsAround(day, "zzz").before).toBeNull();
  });
});

describe("rituals on the timeline", () => {
  it("names the ritual a break carries, with its minutes", () => {
    expect(ritualLabel(reminder("r", "13:50", { ritual_name: "Heavy reset", ritual_minutes: 4 }))).toBe(
      "Ritual: Heavy reset · 4 min",
    );
    expect(ritualLabel(reminder("r", "13:50"))).toBeNull();
  });
});
