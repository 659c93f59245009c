import { describe, expect, it } from "vitest";
import { allZones, friendlyZone, searchZones, zoneCity } from "../src/lib/zones";
import { formatClock, formatLocalDate } from "../src/lib/time";

const ZONES = ["America/New_York", "America/Chicago", "Europe/Paris", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "UTC"];
const WINTER = Date.parse("2026-01-15T12:00:00Z");

describe("time-zone names and search", () => {
  it("names a zone by its city and its own long name", () => {
    expect(zoneCity("America/Argentina/Buenos_Aires")).toBe("Buenos Aires");
    expect(friendlyZone("America/New_York", WINTER)).toBe("New York — Eastern Standard Time");
    expect(friendlyZone("UTC")).toBe("UTC");
  });

  it("finds zones by city, by long name and by several words, ignoring case and accents", () => {
    expect(searchZones("buenos", ZONES, WINTER)).toEqual(["America/Argentina/Buenos_Aires"]);
    expect(searchZones("eastern", ZONES, WINTER)).toEqual(["America/New_York"]);
    expect(searchZones("central europ", ZONES, WINTER)).toEqual(["Europe/Paris"]);
    expect(searchZones("PÁRIS", ZONES, WINTER)).toEqual(["Europe/Paris"]);
    expect(searchZones("  ", ZONES, WINTER)).toEqual(ZONES);
    expect(searchZones("atlantis", ZONES, WINTER)).toEqual([]);
  });

  it("lists every zone once, UTC included, even when the device itself is in UTC", () => {
    const zones = allZones();
    expect(new Set(zones).size).toBe(zones.length);
    expect(zones).toContain("UTC");
  });

  it("searches the browser's own list by default", () => {
    // Browsers may list it as Asia/Calcutta (its old id); the search finds it by today's name.
    expect(searchZones("kolkata").map(zoneCity)).toContain("Kolkata");
  });
});

describe("local times of day and local dates", () => {
  it("writes a zone-less time of day in the chosen clock", () => {
    localStorage.setItem("interlude.hourCycle", "12");
    expect(formatClock("14:05:00")).toBe("2:05 PM");
    localStorage.setItem("interlude.hourCycle", "24");
    expect(formatClock("14:05:00")).toBe("14:05");
    expect(formatClock(null)).toBe("");
  });

  it("writes a local date as that date, whatever the phone's zone", () => {
    expect(formatLocalDate("2026-11-20")).toMatch(/20/);
    expect(formatLocalDate("2026-11-20")).toMatch(/Fri/);
  });
});
