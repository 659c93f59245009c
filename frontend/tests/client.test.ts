import { describe, expect, it } from "vitest";
import { api, ApiError, buildUrl, cachedGet, OfflineError, readCookie, write } from "../src/api/client";
import { idbGet, idbSet } from "../src/api/idb";
import { pendingWrites, replayQueue } from "../src/api/queue";
import { json, mockFetch, offlineFetch } from "./helpers";

describe("api client", () => {
  it("reads cookies", () => {
    expect(readCookie("interlude_csrf", "a=1; interlude_csrf=tok%3D; b=2")).toBe("tok=");
    expect(readCookie("missing", "a=1")).toBeNull();
  });

  it("builds query strings without empty values", () => {
    expect(buildUrl("/x", { a: "1", b: undefined, c: "", d: 2 })).toBe("/x?a=1&d=2");
  });

  it("sends the CSRF cookie as a header on unsafe requests only", async () => {
    document.cookie = "interlude_csrf=abc123; path=/";
    const calls = mockFetch({
      "GET /api/v1/me": () => json({ id: "u" }),
      "POST /api/v1/reminders/r1/ack": () => json({ reminder: {}, snoozed: null }),
    });
    await api.me();
    await api.ack("r1", "done");
    expect(calls[0].headers["X-CSRF-Token"]).toBeUndefined();
    expect(calls[1].headers["X-CSRF-Token"]).toBe("abc123");
    expect(calls[1].body).toEqual({ action: "done" });
  });

  it("turns the error envelope into a message for people", async () => {
    mockFetch({
      "POST /api/v1/auth/login": () =>
        json({ error: { code: "invalid_credentials", message: "Email or password is wrong.", details: null } }, 401),
    });
    const error = await api.login({ email: "a@b.c", password: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("Email or password is wrong.");
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_credentials");
  });

  it("stores the CSRF token for the service worker on login", async () => {
    mockFetch({ "POST /api/v1/auth/login": () => json({ access_token: "t", token_type: "bearer", csrf_token: "csrf-1" }) });
    await api.login({ email: "a@b.c", password: "0123456789" });
    expect(await idbGet("csrf")).toBe("csrf-1");
  });

  it("falls back to the last good answer when offline", async () => {
    mockFetch({ "GET /api/v1/care-plan": () => json({ settings: { daily_cap: 7 } }) });
    const fresh = await cachedGet<{ settings: { daily_cap: number } }>("/api/v1/care-plan");
    expect(fresh.stale).toBe(false);
    offlineFetch();
    const cached = await cachedGet<{ settings: { daily_cap: number } }>("/api/v1/care-plan");
    expect(cached.stale).toBe(true);
    expect(cached.data.settings.daily_cap).toBe(7);
    expect(cached.savedAt).toBe(fresh.savedAt);
  });

  it("fails offline when nothing was cached", async () => {
    offlineFetch();
    await expect(cachedGet("/api/v1/care-plan")).rejects.toBeInstanceOf(OfflineError);
  });

  it("queues offline writes and replays them in order", async () => {
    offlineFetch();
    const first = await write("POST", "/api/v1/reminders/r1/ack", { action: "done" }, "Break done");
    await write("PATCH", "/api/v1/care-plan/settings", { daily_cap: 5 }, "Settings");
    expect(first.queued).toBe(true);
    expect((await pendingWrites()).map((w) => w.path)).toEqual([
      "/api/v1/reminders/r1/ack",
      "/api/v1/care-plan/settings",
    ]);
    const calls = mockFetch({
      "POST /api/v1/reminders/r1/ack": () => json({}),
      "PATCH /api/v1/care-plan/settings": () => json({ error: { code: "validation_error", message: "no", details: null } }, 422),
    });
    await idbSet("csrf", "stored-csrf"); // what the service worker and the replay send
    const result = await replayQueue();
    expect(result).toEqual({ sent: 1, dropped: 1, remaining: 0 });
    expect(calls.map((c) => c.method)).toEqual(["POST", "PATCH"]);
    expect(calls[0].headers["X-CSRF-Token"]).toBe("stored-csrf");
    expect(calls[0].body).toEqual({ action: "done" });
    expect(await pendingWrites()).toEqual([]);
  });

  it("keeps queued writes when the server is down", async () => {
    offlineFetch();
    await write("POST", "/api/v1/reminders/r1/ack", { action: "skip" }, "Break skip");
    mockFetch({ "POST /api/v1/reminders/r1/ack": () => json({}, 503) });
    expect((await replayQueue()).remaining).toBe(1);
    expect(await pendingWrites()).toHaveLength(1);
  });

  it("does not queue writes that the server rejected", async () => {
    mockFetch({});
    await expect(write("POST", "/api/v1/x", {}, "X")).rejects.toBeInstanceOf(ApiError);
    expect(await pendingWrites()).toEqual([]);
  });
});
