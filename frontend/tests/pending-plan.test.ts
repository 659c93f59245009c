import { describe, expect, it } from "vitest";
import type { CarePlan } from "../src/api/models";
import type { QueuedWrite } from "../src/api/queue";
import { applyPendingPlan } from "../src/lib/pending-plan";

const plan = {
  settings: { daily_cap: 8, quiet_start: null },
  micro_breaks: [
    { id: "mb1", trigger: "after_session", enabled: true },
    { id: "mb2", trigger: "fixed_time", enabled: true },
  ],
  response_windows: [],
  time_off: [],
  rituals: [],
} as unknown as CarePlan;

const write = (id: number, method: string, path: string, body?: unknown): QueuedWrite => ({
  id, method, path, body, label: "edit", queuedAt: 0,
});

describe("care-plan edits waiting offline", () => {
  it("are applied to the cached plan and marked pending", () => {
    const { plan: shown, pending } = applyPendingPlan(plan, [
      write(1, "PATCH", "/api/v1/care-plan/micro-breaks/mb1", { enabled: false }),
      write(2, "DELETE", "/api/v1/care-plan/micro-breaks/mb2"),
      write(3, "POST", "/api/v1/care-plan/rituals", { name: "Wash hands", steps: [] }),
      write(4, "PATCH", "/api/v1/care-plan/settings", { daily_cap: 6 }),
      write(5, "POST", "/api/v1/wellbeing/checkins", { energy: 3 }), // not the plan's
    ]);
    expect(shown.micro_breaks.map((r) => [r.id, r.enabled])).toEqual([["mb1", false]]);
    expect(shown.rituals).toEqual([{ enabled: true, name: "Wash hands", steps: [], id: "pending-3" }]);
    expect(shown.settings.daily_cap).toBe(6);
    expect([...pending].sort()).toEqual(["mb1", "mb2", "pending-3", "settings"]);
    expect(plan.micro_breaks).toHaveLength(2); // the cached answer itself is untouched
  });

  it("leaves the plan as is when nothing waits", () => {
    const { plan: shown, pending } = applyPendingPlan(plan, []);
    expect(shown).toEqual(plan);
    expect(pending.size).toBe(0);
  });
});
