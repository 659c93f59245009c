/**
 * The list editor through the screens that use it: a person adds an item, switches it off and
 * removes it, against a small in-memory stand-in for the API (the requests are checked too).
 */
import { createEvent, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { CarePlan, Commitment, MicroBreakRule, User } from "../src/api/models";
import { Commitments } from "../src/components/Commitments";
import { ListEditor } from "../src/components/ListEditor";
import { AppContext } from "../src/lib/context";
import CarePlanScreen from "../src/pages/CarePlan";
import { type Call, json, mockFetch } from "./helpers";

const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "UTC",
  created_at: "2026-11-01T00:00:00Z",
};

function withApp(node: preact.ComponentChildren, toast = vi.fn()) {
  return render(<AppContext.Provider value={{ user, setUser: vi.fn(), toast }}>{node}</AppContext.Provider>);
}

function emptyPlan(): CarePlan {
  return {
    settings: {
      quiet_start: null,
      quiet_end: null,
      daily_cap: 8,
      working_days: [0, 1, 2, 3, 4],
      working_start: "09:00:00",
      working_end: "17:00:00",
      typical_reply_time: "17:00:00",
      notify_window_close: false,
      notes_minutes: 0,
      notes_applies_to: "every",
      notes_order: "break_first",
      notes_backlog_days: 7,
      notes_end_of_day: true,
      wrap_up_minutes: 0,
      wrap_up_applies_to: "every",
    },
    micro_breaks: [],
    response_windows: [],
    time_off: [],
    rituals: [],
  };
}

/** The care plan's micro-break endpoints, keeping their rows like the server does. */
function carePlanApi(plan: CarePlan) {
  let next = 1;
  const idOf = (call: Call) => call.url.split("/").pop() ?? "";
  return mockFetch({
    "GET /api/v1/care-plan": () => json(plan),
    "GET /api/v1/planner/preview": () => json({ date: "2026-11-24", timezone: "UTC", sessions: [], reminders: [] }),
    "GET /api/v1/wellbeing/commitments": () => json([]),
    "POST /api/v1/care-plan/micro-breaks": (call) => {
      // The server fills in what the form leaves out.
      const defaults = { at_time: null, every_minutes: null, custom_text: null, enabled: true };
      const rule = { ...defaults, ...(call.body as object), id: `mb${next++}` } as MicroBreakRule;
      plan.micro_breaks.push(rule);
      return json(rule, 201);
    },
    "PATCH /api/v1/care-plan/micro-breaks/mb1": (call) => {
      const rule = plan.micro_breaks.find((r) => r.id === idOf(call))!;
      Object.assign(rule, call.body);
      return json(rule);
    },
    "DELETE /api/v1/care-plan/micro-breaks/mb1": (call) => {
      plan.micro_breaks = plan.micro_breaks.filter((r) => r.id !== idOf(call));
      return json(null, 204);
    },
  });
}

describe("care plan micro-breaks (list editor)", () => {
  it("adds a rule, switches it off, then removes it", async () => {
    const plan = emptyPlan();
    const calls = carePlanApi(plan);
    const toast = vi.fn();
    withApp(<CarePlanScreen />, toast);
    const card = within(await screen.findByRole("region", { name: "Micro-breaks" }));
    expect(card.queryAllByRole("listitem")).toHaveLength(0);

    // Add: the form sits behind "Add a micro-break rule"; its fields are labelled.
    fireEvent.click(card.getByText("Add a micro-break rule"));
    fireEvent.input(card.getByLabelText(/gap is at least/), { target: { value: "10" } });
    fireEvent.change(card.getByLabelText("Activity"), { target: { value: "stretch" } });
    fireEvent.input(card.getByLabelText("Length (minutes)"), { target: { value: "3" } });
    fireEvent.click(card.getByRole("button", { name: "Add rule" }));
    const rule = await card.findByRole("checkbox", { name: /gap is 10\+ min · Stretch, 3 min/ });
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      trigger: "after_session",
      min_gap_minutes: 10,
      duration_minutes: 3,
      activity: "stretch",
    });
    expect(toast).toHaveBeenCalledWith("Saved.");
    expect((rule as HTMLInputElement).checked).toBe(true);

    // Edit: the row's switch turns the rule off.
    fireEvent.click(rule);
    await waitFor(() => expect(plan.micro_breaks[0].enabled).toBe(false));
    expect(calls.find((c) => c.method === "PATCH")).toMatchObject({
      url: "/api/v1/care-plan/micro-breaks/mb1",
      body: { enabled: false },
    });
    await waitFor(() =>
      expect((card.getByRole("checkbox", { name: /Stretch, 3 min/ }) as HTMLInputElement).checked).toBe(false),
    );

    // Remove: the button names what goes.
    fireEvent.click(card.getByRole("button", { name: "Remove this micro-break rule" }));
    await waitFor(() => expect(card.queryAllByRole("listitem")).toHaveLength(0));
    expect(calls.find((c) => c.method === "DELETE")?.url).toBe("/api/v1/care-plan/micro-breaks/mb1");
    expect(toast).toHaveBeenLastCalledWith("Removed.");
  });
});

describe("supervision and peer support (list editor)", () => {
  it("adds a commitment, shows the server's refusal, and removes one", async () => {
    const items: Commitment[] = [];
    const calls = mockFetch({
      "GET /api/v1/wellbeing/commitments": () => json(items),
      "POST /api/v1/wellbeing/commitments": (call) => {
        const body = call.body as Partial<Commitment>;
        if (body.label === "Client A") {
          return json({ error: { code: "invalid", message: "Leave client details out.", details: null } }, 422);
        }
        const created = {
          id: `c${items.length + 1}`,
          starts_on: "2026-11-23",
          active: true,
          next_occurrence: null,
          created_at: "2026-11-23T00:00:00Z",
          updated_at: "2026-11-23T00:00:00Z",
          ...body,
        } as Commitment;
        items.push(created);
        return json(created, 201);
      },
      "DELETE /api/v1/wellbeing/commitments/c1": () => {
        items.splice(0, 1);
        return json(null, 204);
      },
    });
    const onChange = vi.fn();
    withApp(<Commitments onChange={onChange} />);
    const card = within(await screen.findByRole("region", { name: "Supervision and peer support" }));

    fireEvent.click(card.getByText("Add supervision or a peer check-in"));
    fireEvent.input(card.getByLabelText(/^Name/), { target: { value: "Client A" } });
    fireEvent.click(card.getByRole("button", { name: "Add" }));
    expect((await card.findByRole("alert")).textContent).toBe("Leave client details out.");
    expect(onChange).not.toHaveBeenCalled();

    fireEvent.input(card.getByLabelText(/^Name/), { target: { value: "Group supervision" } });
    fireEvent.change(card.getByLabelText("Day"), { target: { value: "2" } });
    fireEvent.change(card.getByLabelText("How often"), { target: { value: "biweekly" } });
    fireEvent.click(card.getByRole("button", { name: "Add" }));
    await card.findByText("Group supervision");
    expect(card.queryByRole("alert")).toBeNull();
    expect(calls.filter((c) => c.method === "POST")[1].body).toEqual({
      kind: "supervision",
      label: "Group supervision",
      weekday: 2,
      start_time: "12:00",
      duration_minutes: 60,
      frequency: "biweekly",
    });
    expect(card.getByRole("listitem").textContent).toContain("every two weeks");
    expect(onChange).toHaveBeenCalledTimes(1);

    fireEvent.click(card.getByRole("button", { name: "Remove Group supervision" }));
    await waitFor(() => expect(card.queryAllByRole("listitem")).toHaveLength(0));
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});

describe("ListEditor", () => {
  it("labels each switch by its row and each Remove by its item", () => {
    const onToggle = vi.fn();
    const onRemove = vi.fn();
    render(
      <ListEditor
        title="Things"
        titleId="things"
        items={[
          { id: "a", name: "Alpha", on: true },
          { id: "b", name: "Beta", on: false },
        ]}
        describe={(item) => item.name}
        toggle={{ isOn: (item) => item.on, onToggle }}
        removeLabel={(item) => `Remove ${item.name}`}
        onRemove={onRemove}
        addSummary="Add a thing"
        addButton="Add thing"
        onAdd={vi.fn()}
      >
        <label for="thing-name">Name</label>
        <input id="thing-name" name="name" />
      </ListEditor>,
    );
    expect((screen.getByRole("checkbox", { name: "Alpha" }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("checkbox", { name: "Beta" }) as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByRole("checkbox", { name: "Beta" }));
    expect(onToggle).toHaveBeenCalledWith({ id: "b", name: "Beta", on: false });
    fireEvent.click(screen.getByRole("button", { name: "Remove Alpha" }));
    expect(onRemove).toHaveBeenCalledWith({ id: "a", name: "Alpha", on: true });
  });

  it("hands the add form's values over and stays on the page", () => {
    const onAdd = vi.fn();
    render(
      <ListEditor
        title="Things"
        titleId="things"
        items={null}
        describe={() => ""}
        removeLabel={() => "Remove"}
        onRemove={vi.fn()}
        addSummary="Add a thing"
        addButton="Add thing"
        onAdd={onAdd}
      >
        <label for="thing-name">Name</label>
        <input id="thing-name" name="name" />
      </ListEditor>,
    );
    fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Gamma" } });
    const form = screen.getByRole("button", { name: "Add thing" }).closest("form")!;
    const submit = createEvent.submit(form);
    fireEvent(form, submit);
    expect(onAdd).toHaveBeenCalledWith({ name: "Gamma" });
    expect(submit.defaultPrevented).toBe(true); // no navigation: the page sends the request
  });
});
