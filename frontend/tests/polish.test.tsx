import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { User } from "../src/api/models";
import { ConnectCalendar, PRIVACY } from "../src/components/ConnectCalendar";
import { AppContext } from "../src/lib/context";
import AutoReply from "../src/pages/AutoReply";
import Onboarding from "../src/pages/Onboarding";
import SettingsScreen from "../src/pages/Settings";
import { json, mockFetch } from "./helpers";

const user: User = {
  id: "u1",
  email: "sam@example.com",
  display_name: "Sam",
  timezone: "America/New_York",
  created_at: "2026-11-01T00:00:00Z",
};

function withApp(node: preact.ComponentChildren, signedIn: User | null = user) {
  return render(
    <AppContext.Provider value={{ user: signedIn, setUser: vi.fn(), toast: vi.fn() }}>{node}</AppContext.Provider>,
  );
}

afterEach(() => history.replaceState(null, "", "/"));

describe("onboarding", () => {
  it("keeps its step in the address, so a reload resumes there", async () => {
    history.replaceState(null, "", "/welcome?next=%2Fcare-plan");
    mockFetch({ "PATCH /api/v1/me": () => json(user) });
    const first = withApp(<Onboarding />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Confirm your time zone");
    expect(location.search).toBe("?next=%2Fcare-plan&step=timezone");
    fireEvent.click(screen.getByRole("button", { name: /^Yes, use / }));
    await waitFor(() => expect(location.search).toBe("?next=%2Fcare-plan&step=calendar"));
    first.unmount();
    // "Reload": a fresh mount reads the step back from the address.
    withApp(<Onboarding />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Connect your calendar");
    expect(screen.getByText("Step 3 of 4")).toBeTruthy();
  });

  it("signed out, it starts at the account step with a clean address", () => {
    history.replaceState(null, "", "/welcome?step=calendar");
    withApp(<Onboarding />, null);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Welcome to Interlude");
    expect(location.search).toBe("");
  });
});

describe("connect a calendar", () => {
  it("the upload tab has the session rule and the privacy note, and sends the rule", async () => {
    const calls = mockFetch({
      "POST /api/v1/calendars/upload": () => json({ id: "c1", name: "Export" }, 201),
    });
    const onConnected = vi.fn();
    render(<ConnectCalendar onConnected={onConnected} />);
    fireEvent.click(screen.getByRole("button", { name: "Upload file" }));
    expect(screen.getByText("Which events are client sessions?")).toBeTruthy();
    expect(screen.getByText(PRIVACY)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Count as a session"), { target: { value: "duration" } });
    const input = screen.getByLabelText("Calendar file (.ics)") as HTMLInputElement;
    const file = new File(["BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"], "export.ics", { type: "text/calendar" });
    Object.defineProperty(input, "files", { value: [file] });
    fireEvent.submit(input.form!);
    await waitFor(() => expect(onConnected).toHaveBeenCalled());
    const form = calls.find((c) => c.url === "/api/v1/calendars/upload")?.body as FormData;
    expect(JSON.parse(String(form.get("rule")))).toEqual({ mode: "duration", min_minutes: 45, max_minutes: 60 });
  });
});

describe("settings", () => {
  it("connects a calendar in its own section, not through onboarding", async () => {
    history.replaceState(null, "", "/settings");
    mockFetch({
      "GET /api/v1/calendars": () => json([]),
      "GET /api/v1/push/subscriptions": () => json([]),
    });
    withApp(<SettingsScreen />);
    expect(screen.queryByRole("link", { name: "Connect a calendar" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Connect a calendar" }));
    const section = await screen.findByTestId("connect-calendar");
    expect(section.querySelector("h3")?.textContent).toBe("Connect a calendar");
    expect(section.querySelector("h4")?.textContent).toBe("Where to find your link");
    expect(screen.getByRole("button", { name: "Try with a sample calendar" })).toBeTruthy();
    expect(location.pathname).toBe("/settings");
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("connect-calendar")).toBeNull();
  });
});

describe("auto-reply", () => {
  const profile = {
    credentials: "LCSW", practice_name: "Harbor Therapy", tone: "warm", language: "en", country: "US",
    emergency_text: null, emergency_text_short: null, emergency_enabled: true,
    covering_name: "", covering_contact: "", secure_channel_name: "", secure_channel_url: "",
    email_not_secure_note: true, reader_timezone: "America/New_York", reader_timezone_is_default: true,
    mail_addresses: [], sieve_days: 1, sieve_seconds: null, custom_templates: [],
    emergency: { text: "In an emergency call 911 or call or text 988.", short: "Emergency: 911 / 988", spoken: "" },
    warnings: [], updated_at: "2026-11-20T00:00:00Z",
  };
  const email = {
    format: "email", download: "", filename: "interlude-email.txt", emergency_included: true, warnings: [],
    content: { subject: "Away", text: "Back Monday. Crisis: 988" },
  };
  const gmail = {
    format: "gmail", download: '{\n  "enableAutoReply": true\n}\n', filename: "gmail-vacation-settings.json",
    emergency_included: true, warnings: [],
    content: {
      vacation_settings: { enableAutoReply: true, responseSubject: "Away", responseBodyPlainText: "Back Monday. Crisis: 988" },
      period: { start: "2026-12-04T22:00:00+00:00", end: "2026-12-07T14:00:00+00:00" },
    },
  };

  it("leads with the four pasted channels; mail filters and templates sit under Advanced", async () => {
    mockFetch({
      "GET /api/v1/autoresponder/profile": () => json(profile),
      "GET /api/v1/autoresponder/email": () => json(email),
      "GET /api/v1/autoresponder/gmail": () => json(gmail),
      "GET /api/v1/autoresponder/templates": () => json({ tone: "warm", language: "en", templates: [] }),
      "GET /api/v1/autoresponder/crisis-lines": () => json({ countries: ["US"], selected: "US", lines: [] }),
    });
    withApp(<AutoReply />);
    // Nothing below the title until the profile and the first preview are both here (no shift).
    expect(screen.getByText("Loading…")).toBeTruthy();
    expect(screen.queryByRole("group", { name: "Channel" })).toBeNull();
    const main = await screen.findByRole("group", { name: "Channel" });
    expect([...main.querySelectorAll("button")].map((b) => b.textContent)).toEqual(["Email", "Portal", "SMS", "Voicemail"]);
    const advanced = screen.getByTestId("autoreply-advanced") as HTMLDetailsElement;
    expect(advanced.open).toBe(false);
    const inside = screen.getByRole("group", { name: "Advanced channel" });
    expect(advanced.contains(inside)).toBe(true);
    expect([...inside.querySelectorAll("button")].map((b) => b.textContent)).toEqual(["Sieve", "Gmail", "Outlook", "Calendar (ics)"]);
    expect(advanced.querySelector("summary")?.textContent).toContain("templates");
    expect(advanced.textContent).toContain("Custom templates");
    await waitFor(() => expect(screen.getByTestId("autoreply-preview").textContent).toContain("Back Monday"));
    expect(screen.getByTestId("autoreply-steps").tagName).toBe("OL");

    fireEvent.click(screen.getByRole("button", { name: "Gmail" }));
    await waitFor(() => expect(screen.getByTestId("autoreply-period").textContent).toContain("Closed period"));
    expect(advanced.open).toBe(true);
    expect(advanced.contains(screen.getByTestId("autoreply-preview"))).toBe(true);
    // Steps and the text to paste; the JSON only behind its own disclosure.
    expect(screen.getByTestId("autoreply-preview").textContent).toBe("Subject: Away\n\nBack Monday. Crisis: 988");
    expect(screen.getByTestId("autoreply-json").closest("details")?.open).toBe(false);
    expect(screen.getByTestId("autoreply-steps").textContent).toContain("Vacation responder");
  });
});
