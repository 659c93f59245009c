import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { AppContext } from "../src/lib/context";
import AutoReply from "../src/pages/AutoReply";
import { ProfileEditor } from "../src/pages/AutoReplyProfile";
import { TemplateEditor } from "../src/pages/AutoReplyTemplates";
import type { AutoreplyProfile } from "../src/api/models";
import { json, mockFetch } from "./helpers";

const app = { user: null, setUser: vi.fn(), toast: vi.fn() };
const profile: AutoreplyProfile = {
  credentials: "LCSW", practice_name: "Harbor Therapy", tone: "warm", language: "en", country: "US",
  emergency_text: null, emergency_text_short: null, emergency_enabled: true,
  covering_name: "", covering_contact: "", secure_channel_name: "", secure_channel_url: "",
  email_not_secure_note: true, reader_timezone: "America/New_York", reader_timezone_is_default: true,
  mail_addresses: [], sieve_days: 1, sieve_seconds: null, custom_templates: [],
  emergency: { text: "In an emergency call 911 or call or text 988.", short: "Emergency: 911 / 988", spoken: "" },
  warnings: [], updated_at: "2026-11-20T00:00:00Z",
};
const sms = { format: "sms", download: "Thanks for your text. Crisis: 988", filename: "interlude-sms.txt", emergency_included: true, warnings: [], content: { text: "Thanks for your text. Crisis: 988", length: 33, limit: 160 } };

describe("auto-reply screen", () => {
  it("changes the tone, re-previews, and downloads the server's file", async () => {
    const calls = mockFetch({
      "GET /api/v1/autoresponder/profile": () => json(profile),
      "PATCH /api/v1/autoresponder/profile": () => json({ ...profile, tone: "brief" }),
      "GET /api/v1/autoresponder/email": () => json({ ...sms, format: "email" }),
      "GET /api/v1/autoresponder/sms": () => json(sms),
      "GET /api/v1/autoresponder/templates": () => json({ tone: "warm", language: "en", templates: [] }),
    });
    render(
      <AppContext.Provider value={app}>
        <AutoReply />
      </AppContext.Provider>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "SMS" }));
    await waitFor(() => expect(screen.getByTestId("autoreply-preview").textContent).toContain("Crisis: 988"));
    await waitFor(() => expect(screen.getByRole("button", { name: "Warm" }).getAttribute("aria-pressed")).toBe("true"));
    fireEvent.click(screen.getByRole("button", { name: "Brief" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Brief" }).getAttribute("aria-pressed")).toBe("true"));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ tone: "brief" });
    await waitFor(() => expect(calls.filter((c) => c.url.startsWith("/api/v1/autoresponder/sms")).length).toBe(2));
    expect(screen.getByRole("link", { name: "Download" }).getAttribute("href")).toBe("/api/v1/autoresponder/sms?download=true");
    expect(screen.getByRole("button", { name: "Calendar (ics)" })).toBeTruthy();
  });
});

describe("profile editor", () => {
  it("switching the crisis line off shows the warning and sends the acknowledgement", async () => {
    const calls = mockFetch({
      "GET /api/v1/autoresponder/crisis-lines": () => json({ countries: ["US", "GB"], selected: "US", lines: [] }),
      "PATCH /api/v1/autoresponder/profile": () => json({ ...profile, emergency_enabled: false }),
    });
    const onSaved = vi.fn();
    render(
      <AppContext.Provider value={app}>
        <ProfileEditor profile={{ ...profile, custom_templates: [] }} onSaved={onSaved} />
      </AppContext.Provider>,
    );
    fireEvent.click(screen.getByLabelText(/Include the crisis line/));
    expect(screen.getByText(/gets no next step/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText(/I understand/));
    fireEvent.click(screen.getByRole("button", { name: "Save reply details" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = calls.find((c) => c.method === "PATCH")?.body as Record<string, unknown>;
    expect(body.emergency_enabled).toBe(false);
    expect(body.acknowledge_no_emergency_line).toBe(true);
    expect(body.practice_name).toBe("Harbor Therapy");
    expect(body.reader_timezone).toBeNull();
  });
});

describe("template editor", () => {
  it("shows the server's line-numbered error on a 422", async () => {
    mockFetch({
      "GET /api/v1/autoresponder/templates": () =>
        json({ tone: "warm", language: "en", templates: [{ slot: "sms", custom: false, source: "Hi\n{{ emergency }}", variables: ["emergency", "name"] }] }),
      "PUT /api/v1/autoresponder/templates/sms": () =>
        json({ error: { code: "template_invalid", message: "Template not saved. Line 2: unexpected '}'", details: { slot: "sms", line: 2, message: "unexpected '}'" } } }, 422),
    });
    render(
      <AppContext.Provider value={app}>
        <TemplateEditor initialSlot="sms" onSaved={vi.fn()} />
      </AppContext.Provider>,
    );
    const source = (await screen.findByDisplayValue(/emergency/)) as HTMLTextAreaElement;
    fireEvent.input(source, { target: { value: "Hi\n{{ emergency }}}" } });
    fireEvent.click(screen.getByRole("button", { name: "Save template" }));
    const problem = await screen.findByTestId("template-problem");
    expect(problem.textContent).toContain("Line 2:");
    expect(problem.textContent).toContain("unexpected '}'");
    expect(problem.textContent).toContain("2 | {{ emergency }}}");
  });
});
