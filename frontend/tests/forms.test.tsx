import { describe, expect, it } from "vitest";
import { ruleFrom } from "../src/components/ConnectCalendar";
import { displayText } from "../src/pages/AutoReply";

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
}

describe("session classification rule", () => {
  it("defaults to every timed event", () => {
    expect(ruleFrom(form({}))).toEqual({ mode: "all_timed" });
  });
  it("splits keywords and drops blanks", () => {
    expect(ruleFrom(form({ rule_mode: "keywords", include: "session, intake ,", exclude: "lunch" }))).toEqual({
      mode: "keywords",
      include: ["session", "intake"],
      exclude: ["lunch"],
    });
  });
  it("reads a duration range, leaving an empty bound open", () => {
    expect(ruleFrom(form({ rule_mode: "duration", min_minutes: "45", max_minutes: "" }))).toEqual({
      mode: "duration",
      min_minutes: 45,
      max_minutes: null,
    });
  });
});

describe("auto-reply preview text", () => {
  it("shows subject and text for email", () => {
    expect(displayText({ format: "email", content: { subject: "Thanks", text: "I'll reply Monday.", html: "<p>x</p>" }, download: "" })).toBe(
      "Subject: Thanks\n\nI'll reply Monday.",
    );
  });
  it("shows the downloadable script for machine formats", () => {
    expect(displayText({ format: "sieve", content: { script: "require" }, download: 'require ["vacation"];' })).toBe(
      'require ["vacation"];',
    );
  });
  it("falls back to JSON", () => {
    expect(displayText({ format: "graph", content: { status: "scheduled" }, download: "" })).toContain('"status": "scheduled"');
  });
});
