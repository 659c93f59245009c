import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { AppContext } from "../src/lib/context";
import { MonthlySelfCheck, WeeklyReview } from "../src/pages/WellbeingReviews";
import { json, mockFetch } from "./helpers";

const app = { user: null, setUser: vi.fn(), toast: vi.fn() };

describe("weekly review", () => {
  it("posts the ticked warning signs and the meaningful moment", async () => {
    const calls = mockFetch({ "POST /api/v1/wellbeing/weekly-reviews": () => json({}, 201) });
    const onSaved = vi.fn();
    render(
      <AppContext.Provider value={app}>
        <WeeklyReview
          settings={{
            weekly_caseload_limit: 25,
            emotion_words: [],
            muted_signals: {},
            privacy_reminder: "",
            warning_signs: { cynicism: "Cynicism", clock_watching: "Clock-watching" },
          }}
          onSaved={onSaved}
        />
      </AppContext.Provider>,
    );
    fireEvent.click(screen.getByLabelText("Clock-watching"));
    fireEvent.input(screen.getByLabelText(/meaningful moment/), { target: { value: "A client laughed" } });
    fireEvent.click(screen.getByRole("button", { name: "Save weekly review" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls[0].body).toEqual({ warning_signs: ["clock_watching"], fulfillment: "A client laughed" });
  });
});

describe("monthly self-check", () => {
  it("needs every item answered, then shows the scores", async () => {
    const calls = mockFetch({
      "GET /api/v1/wellbeing/self-checks/instruments": () =>
        json([
          {
            id: "reflect-v1", name: "Reflection", validated: false, disclaimer: "A reflection aid, not a test.",
            scale_min: 1, scale_max: 3, scale_labels: ["never", "sometimes", "often"],
            items: [
              { id: "e1", dimension: "exhaustion", text: "I felt drained" },
              { id: "a1", dimension: "accomplishment", text: "I made a difference" },
            ],
          },
        ]),
      "POST /api/v1/wellbeing/self-checks": () =>
        json({ id: "s", month: "2026-11-01", scores: [{ dimension: "exhaustion", label: "Exhaustion", score: 3, band: "high", higher_means: "more tired" }] }, 201),
    });
    render(
      <AppContext.Provider value={app}>
        <MonthlySelfCheck />
      </AppContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText("A reflection aid, not a test.")).toBeTruthy());
    const save = screen.getByRole("button", { name: "Save self-check" }) as HTMLButtonElement;
    fireEvent.click(screen.getAllByRole("button", { name: "3: often" })[0]);
    expect(save.disabled).toBe(true);
    fireEvent.click(screen.getAllByRole("button", { name: "2: sometimes" })[1]);
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() => expect(screen.getByText(/more tired/)).toBeTruthy());
    expect(calls[1].body).toEqual({ instrument: "reflect-v1", answers: { e1: 3, a1: 2 } });
  });
});
