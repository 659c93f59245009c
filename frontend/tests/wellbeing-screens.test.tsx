import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { AppContext } from "../src/lib/context";
import { CheckinHistory, ExportLinks } from "../src/pages/WellbeingHistory";
import { composeNote, parseNote, WeeklyReview } from "../src/pages/WellbeingReviews";
import { json, mockFetch } from "./helpers";

const app = { user: null, setUser: vi.fn(), toast: vi.fn() };
const settings = {
  weekly_caseload_limit: 25,
  emotion_words: [],
  muted_signals: {},
  privacy_reminder: "No client details, please.",
  warning_signs: { cynicism: "Cynicism" },
};
const checkin = {
  id: "c1", at: "2026-11-20T15:00:00Z", local_date: "2026-11-20", created_at: "2026-11-20T15:00:00Z", privacy_reminder: "",
  energy: 6, emotions: ["calm"], insight: "slow morning", gratitude: null,
};

describe("month-in-review note", () => {
  it("round-trips what went well and the adjustment through the self-check note", () => {
    const note = composeNote(" Kept lunch breaks ", "Walk after the 3 pm session");
    expect(note).toBe("What went well: Kept lunch breaks\nOne adjustment to try next month: Walk after the 3 pm session");
    expect(parseNote(note)).toEqual({ wentWell: "Kept lunch breaks", adjustment: "Walk after the 3 pm session", other: "" });
    expect(composeNote(" ", "")).toBeNull();
    expect(parseNote("free words").other).toBe("free words");
  });
});

describe("weekly review", () => {
  it("updates this week's review when the week is already reviewed (409)", async () => {
    const calls = mockFetch({
      "POST /api/v1/wellbeing/weekly-reviews": () =>
        json({ error: { code: "conflict", message: "You already reviewed the week", details: null } }, 409),
      "GET /api/v1/wellbeing/weekly-reviews": () => json([{ id: "w1", week_start: "2026-11-16", warning_signs: [], warning_sign_count: 0 }]),
      "PATCH /api/v1/wellbeing/weekly-reviews/w1": () => json({ id: "w1" }),
    });
    const onSaved = vi.fn();
    render(
      <AppContext.Provider value={app}>
        <WeeklyReview settings={settings} onSaved={onSaved} />
      </AppContext.Provider>,
    );
    expect(screen.getByText("No client details, please.")).toBeTruthy(); // the reminder sits by the text field
    fireEvent.click(screen.getByLabelText("Cynicism"));
    fireEvent.click(screen.getByRole("button", { name: "Save weekly review" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "POST /api/v1/wellbeing/weekly-reviews",
      "GET /api/v1/wellbeing/weekly-reviews",
      "PATCH /api/v1/wellbeing/weekly-reviews/w1",
    ]);
    expect(calls[2].body).toEqual({ warning_signs: ["cynicism"], fulfillment: null });
  });
});

describe("past check-ins", () => {
  function open() {
    const onChanged = vi.fn();
    render(
      <AppContext.Provider value={app}>
        <CheckinHistory settings={settings} onChanged={onChanged} />
      </AppContext.Provider>,
    );
    const details = screen.getByText("Past check-ins").closest("details") as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event("toggle"));
    return onChanged;
  }

  it("edits a check-in's energy and text", async () => {
    const calls = mockFetch({
      "GET /api/v1/wellbeing/checkins": () => json([checkin]),
      "PATCH /api/v1/wellbeing/checkins/c1": () => json({ ...checkin, energy: 8 }),
    });
    const onChanged = open();
    fireEvent.click(await screen.findByRole("button", { name: "Edit check-in of 2026-11-20" }));
    const energy = screen.getByLabelText("Energy (1–10)");
    // The scale's ends say what they mean here too, not only on the check-in.
    const anchors = document.getElementById(energy.getAttribute("aria-describedby") ?? "");
    expect(anchors?.textContent).toBe("1 = running on empty, 10 = full of energy");
    fireEvent.input(energy, { target: { value: "8" } });
    fireEvent.input(screen.getByLabelText("Gratitude"), { target: { value: "sunlight" } });
    expect(screen.getByText("No client details, please.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({ energy: 8, insight: "slow morning", gratitude: "sunlight" });
  });

  it("lists a check-in at its local time on its local date (21:50 in New York, not 02:50)", async () => {
    localStorage.setItem("interlude.hourCycle", "24");
    const late = { ...checkin, at: "2026-11-21T02:50:00Z", local_date: "2026-11-20", timezone: "America/New_York" };
    mockFetch({ "GET /api/v1/wellbeing/checkins": () => json([late]) });
    open();
    const row = await screen.findByText(/energy 6/);
    expect(row.textContent).toContain("21:50");
    expect(row.textContent).not.toContain("02:50");
    expect(row.textContent).toMatch(/20/);
    expect(row.textContent).not.toMatch(/21\b(?!:)/);
  });

  it("deletes a check-in after confirmation", async () => {
    vi.stubGlobal("confirm", () => true);
    const calls = mockFetch({
      "GET /api/v1/wellbeing/checkins": () => json([checkin]),
      "DELETE /api/v1/wellbeing/checkins/c1": () => json(null, 204),
    });
    const onChanged = open();
    fireEvent.click(await screen.findByRole("button", { name: "Delete check-in of 2026-11-20" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(calls.some((c) => c.method === "DELETE" && c.url === "/api/v1/wellbeing/checkins/c1")).toBe(true);
  });
});

describe("export", () => {
  it("links to the CSV of the chosen table and to the JSON of everything", () => {
    render(<ExportLinks />);
    fireEvent.change(screen.getByLabelText("CSV table"), { target: { value: "weekly_reviews" } });
    expect(screen.getByRole("link", { name: "Download CSV" }).getAttribute("href")).toBe(
      "/api/v1/wellbeing/export?format=csv&dataset=weekly_reviews",
    );
    expect(screen.getByRole("link", { name: "Download JSON" }).getAttribute("href")).toBe("/api/v1/wellbeing/export?format=json");
  });
});
