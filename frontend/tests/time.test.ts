import { describe, expect, it } from "vitest";
import { addDays, countdown, dayRange, localDate, zonedInstant, zoneOffsetMinutes } from "../src/lib/time";

describe("time zone arithmetic", () => {
  it("finds local midnight in New York in winter and summer", () => {
    expect(zonedInstant("2026-11-23", "America/New_York").toISOString()).toBe("2026-11-23T05:00:00.000Z");
    expect(zonedInstant("2026-07-01", "America/New_York").toISOString()).toBe("2026-07-01T04:00:00.000Z");
  });

  it("gives a 23-hour day on the spring-forward Sunday", () => {
    const { start, end } = dayRange("2026-03-08", "America/New_York");
    expect(start).toBe("2026-03-08T05:00:00.000Z");
    expect(end).toBe("2026-03-09T04:00:00.000Z");
    expect((Date.parse(end) - Date.parse(start)) / 3600000).toBe(23);
  });

  it("gives a 25-hour day when Europe falls back", () => {
    const { start, end } = dayRange("2026-10-25", "Europe/London");
    expect((Date.parse(end) - Date.parse(start)) / 3600000).toBe(25);
  });

  it("handles zones east of UTC and the date line", () => {
    expect(zonedInstant("2026-11-23", "Pacific/Auckland").toISOString()).toBe("2026-11-22T11:00:00.000Z");
    expect(zoneOffsetMinutes(new Date("2026-11-23T00:00:00Z"), "Asia/Kolkata")).toBe(330);
  });

  it("computes local dates and adds days across month ends", () => {
    expect(localDate(new Date("2026-11-23T03:00:00Z"), "America/New_York")).toBe("2026-11-22");
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("words a countdown", () => {
    expect(countdown(10_000)).toBe("now");
    expect(countdown(4 * 60000)).toBe("in 4 min");
    expect(countdown(65 * 60000)).toBe("in 1 h 05 min");
  });
});
