import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { User } from "../src/api/models";
import { InsecureOriginBanner, StaleBanner } from "../src/components/Banners";
import { LineChart } from "../src/components/LineChart";
import { WeekEditor } from "../src/components/WeekEditor";
import { AppContext } from "../src/lib/context";
import BreakScreen from "../src/pages/Break";
import { Today } from "../src/pages/Today";
import { json, mockFetch, offlineFetch } from "./helpers";

const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "UTC",
  created_at: "2026-11-01T00:00:00Z",
};

function withApp(node: preact.ComponentChildren, toast = vi.fn()) {
  return render(
    <AppContext.Provider value={{ user, setUser: vi.fn(), toast }}>{node}</AppContext.Provider>,
  );
}

function todayAt(hhmm: string): string {
  return `${new Date().toISOString().slice(0, 10)}T${hhmm}:00Z`;
}

describe("Today", () => {
  beforeEach(() => {
    // A fixed morning, so "next break" and the timeline do not depend on when tests run.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T08:00:00Z"));
  });

  it("shows sessions as blocks, breaks between them, and flags back-to-back runs", async () => {
    mockFetch({
      "GET /api/v1/appointments": () =>
        json([
          { id: "a", start: todayAt("09:00"), end: todayAt("09:50"), kind: "session" },
          { id: "b", start: todayAt("09:55"), end: todayAt("10:45"), kind: "session" },
          { id: "c", start: todayAt("10:50"), end: todayAt("11:40"), kind: "session", telehealth: true },
        ]),
      "GET /api/v1/reminders": () =>
        json([
          {
            id: "r1", kind: "micro_break", due_at: todayAt("09:50"), expires_at: todayAt("09:55"),
            state: "planned", title: "Box breathing", body: "", activity: "box_breathing",
            duration_minutes: 2, ritual_steps: [], ack_action: null, acked_at: null,
          },
        ]),
    });
    withApp(<Today />);
    await waitFor(() => expect(screen.getAllByTestId("session")).toHaveLength(3));
    expect(screen.getAllByTestId("break")).toHaveLength(1);
    expect(screen.getAllByText(/back-to-back/)).toHaveLength(3);
    expect(screen.getByText(/telehealth/)).toBeTruthy();
    expect(screen.getByTestId("day-summary").textContent).toContain("3 sessions");
    // The countdown card and the timeline block both open the break.
    const links = screen.getAllByRole("link", { name: /Box breathing/ });
    expect(links.map((l) => l.getAttribute("href"))).toEqual(["/break/r1", "/break/r1"]);
    expect(screen.getByTestId("next-break").textContent).toContain("1 h 50 min");
  });

  it("asks for a day range in the user's zone", async () => {
    const calls = mockFetch({
      "GET /api/v1/appointments": () => json([]),
      "GET /api/v1/reminders": () => json([]),
    });
    withApp(<Today />);
    const dayCalls = () => calls.filter((c) => /^\/api\/v1\/(appointments|reminders)\b/.test(c.url));
    await waitFor(() => expect(dayCalls().length).toBe(2));
    const url = new URL(dayCalls()[0].url, "http://x");
    const start = url.searchParams.get("start") as string;
    const end = url.searchParams.get("end") as string;
    expect(start.endsWith("T00:00:00.000Z")).toBe(true);
    expect(Date.parse(end) - Date.parse(start)).toBe(24 * 3600000);
    // Held time is asked for the same day (the timeline shows it).
    await waitFor(() => expect(calls.some((c) => c.url.startsWith("/api/v1/week-ahead/held-time"))).toBe(true));
    const held = new URL(calls.find((c) => c.url.startsWith("/api/v1/week-ahead/held-time"))!.url, "http://x");
    expect(held.searchParams.get("start")).toBe(start);
    fireEvent.click(screen.getByRole("button", { name: "Tomorrow" }));
    await waitFor(() => expect(dayCalls().length).toBe(4));
    expect(new URL(dayCalls()[2].url, "http://x").searchParams.get("start")).toBe(end);
  });

  it("shows cached data with an offline banner", async () => {
    mockFetch({
      "GET /api/v1/appointments": () => json([{ id: "a", start: todayAt("09:00"), end: todayAt("09:50"), kind: "session" }]),
      "GET /api/v1/reminders": () => json([]),
    });
    const first = withApp(<Today />);
    await waitFor(() => expect(screen.getAllByTestId("session")).toHaveLength(1));
    first.unmount();
    offlineFetch();
    withApp(<Today />);
    await waitFor(() => expect(screen.getByTestId("offline-banner")).toBeTruthy());
    expect(screen.getByTestId("offline-banner").textContent).toMatch(/^Offline — showing data from \d{1,2}:\d\d/);
    expect(screen.getAllByTestId("session")).toHaveLength(1);
  });
});

describe("time-zone notice", () => {
  it("offers the phone's zone when it differs from the plan's, and saves it", async () => {
    const real = Intl.DateTimeFormat.prototype.resolvedOptions;
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
      return { ...real.call(this), timeZone: "Europe/Paris" };
    });
    const calls = mockFetch({
      "GET /api/v1/appointments": () => json([]),
      "GET /api/v1/reminders": () => json([]),
      "PATCH /api/v1/me": () => json({ ...user, timezone: "Europe/Paris" }),
    });
    const setUser = vi.fn();
    render(
      <AppContext.Provider value={{ user, setUser, toast: vi.fn() }}>
        <Today />
      </AppContext.Provider>,
    );
    expect(screen.getByText(/^Your phone is in Paris — .+; your plan uses UTC\.$/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Use Paris" }));
    await waitFor(() => expect(setUser).toHaveBeenCalledWith(expect.objectContaining({ timezone: "Europe/Paris" })));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ timezone: "Europe/Paris" });
  });
});

describe("Break", () => {
  it("posts Done and Snooze 5 as acks", async () => {
    const calls = mockFetch({
      "GET /api/v1/reminders/r9": () =>
        json({ id: "r9", kind: "micro_break", title: "Stretch it out", body: "", activity: "stretch", ritual_steps: [] }),
      "POST /api/v1/reminders/r9/ack": () => json({ reminder: {}, snoozed: null }),
    });
    const toast = vi.fn();
    withApp(<BreakScreen id="r9" />, toast);
    await waitFor(() => expect(screen.getByRole("heading", { name: "Stretch it out" })).toBeTruthy());
    // The reminder's activity picks the exercise.
    expect(screen.getByRole("button", { name: "Stretch" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(toast).toHaveBeenCalledWith("Break recorded. Well done."));
    fireEvent.click(screen.getByRole("button", { name: "Snooze 5" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(2));
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts[0].body).toEqual({ action: "done" });
    expect(posts[1].body).toEqual({ action: "snooze", snooze_minutes: 5 });
  });

  it("shows the breathing guide with a live instruction", async () => {
    mockFetch({});
    withApp(<BreakScreen id="missing" />);
    // The screen appears once the reminder and the day have been read (here: both failed).
    expect(await screen.findByText("Breathe in")).toBeTruthy();
    expect(screen.getByRole("timer").textContent).toContain("2:00 left");
  });
});

describe("WeekEditor", () => {
  it("adds and removes windows, then saves the whole week", async () => {
    localStorage.setItem("interlude.hourCycle", "24");
    const onSave = vi.fn();
    withApp(<WeekEditor windows={[{ weekday: 0, start_time: "09:00:00", end_time: "09:30:00" }]} onSave={onSave} />);
    const save = screen.getByRole("button", { name: "Save week" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Add a window on Wednesday" }));
    fireEvent.input(screen.getByLabelText("Wednesday start"), { target: { value: "16:00" } });
    fireEvent.input(screen.getByLabelText("Wednesday end"), { target: { value: "16:30" } });
    fireEvent.click(screen.getByRole("button", { name: "Add", exact: true }));
    fireEvent.click(screen.getByRole("button", { name: "Remove Monday 09:00–09:30" }));
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(onSave).toHaveBeenCalledWith([{ weekday: 2, start_time: "16:00", end_time: "16:30" }]);
  });
});

describe("small components", () => {
  it("StaleBanner renders nothing for fresh data", () => {
    const { container } = render(<StaleBanner savedAt={null} />);
    expect(container.textContent).toBe("");
  });

  it("LineChart breaks lines at missing days", () => {
    const { container } = render(
      <LineChart title="Energy" labels={["a", "b", "c", "d"]} max={10} series={[{ label: "E", values: [5, null, 6, 7], className: "s1" }]} />,
    );
    const d = container.querySelector("path")?.getAttribute("d") ?? "";
    expect(d.match(/M/g)).toHaveLength(2);
    expect(container.querySelectorAll("circle")).toHaveLength(3);
    expect(container.querySelector("svg")?.getAttribute("aria-label")).toBe("Energy");
  });
});

describe("InsecureOriginBanner", () => {
  it("says why reminders cannot work over plain http, and nothing over https", () => {
    const { unmount } = render(<InsecureOriginBanner secure={false} />);
    expect(screen.getByRole("alert").textContent).toMatch(/not HTTPS.*reminders.*https:\/\//s);
    unmount();
    render(<InsecureOriginBanner secure={true} />);
    expect(screen.queryByTestId("insecure-banner")).toBeNull();
  });
});
