/**
 * The one typed client for Interlude's HTTP API (shapes generated from its OpenAPI document:
 * `types.ts`, named in `models.ts`).
 *
 * - Authenticates with the HttpOnly session cookie; every unsafe request carries the
 *   X-CSRF-Token header copied from the readable `interlude_csrf` cookie, which is also kept in
 *   IndexedDB so the service worker can post notification actions.
 * - Errors become `ApiError` with the server's human message.
 * - `cachedGet` keeps the last good answer in IndexedDB and falls back to it offline.
 * - `write(..., {queue: label})` queues the write when offline and replays it on reconnect.
 */
import { idbGet, idbSet } from "./idb";
import { CSRF_HEADER, CSRF_KEY, enqueue } from "./queue";
import type * as T from "./models";

export type * from "./models";

export const CSRF_COOKIE = "interlude_csrf";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Thrown when the request never reached the server. */
export class OfflineError extends Error {
  constructor() {
    super("You are offline. Try again when you have a connection.");
    this.name = "OfflineError";
  }
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** Copy the CSRF cookie where the service worker can read it. */
export async function rememberCsrf(token?: string | null): Promise<void> {
  const value = token ?? readCookie(CSRF_COOKIE);
  if (value) await idbSet(CSRF_KEY, value).catch(() => undefined);
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let message = `The server answered ${response.status}.`;
  let code = "error";
  let details: unknown = null;
  try {
    const body = (await response.json()) as { error?: T.ErrorBody["error"] };
    if (body.error) {
      message = body.error.message || message;
      code = body.error.code || code;
      details = body.error.details ?? null;
    }
  } catch {
    /* not JSON: keep the generic message */
  }
  return new ApiError(message, response.status, code, details);
}

export async function request<R>(path: string, options: RequestOptions = {}): Promise<R> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (UNSAFE.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new OfflineError();
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as R;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) return (await response.json()) as R;
  return (await response.text()) as R;
}

export interface Cached<R> {
  data: R;
  savedAt: number; // epoch ms of the last successful fetch
  stale: boolean; // true when served from the offline cache
}

/** GET with an offline fallback to the last good answer (kept in IndexedDB). */
export async function cachedGet<R>(path: string, query?: RequestOptions["query"]): Promise<Cached<R>> {
  const key = `cache:${buildUrl(path, query)}`;
  try {
    const data = await request<R>(path, { query });
    const savedAt = Date.now();
    await idbSet(key, { data, savedAt }).catch(() => undefined);
    return { data, savedAt, stale: false };
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    const hit = await idbGet<{ data: R; savedAt: number }>(key).catch(() => undefined);
    if (!hit) throw error;
    return { ...hit, stale: true };
  }
}

export interface WriteResult<R> {
  data: R | null;
  queued: boolean;
}

/** An unsafe request; with `queue`, a network failure queues it for replay instead of failing. */
export async function write<R>(
  method: string,
  path: string,
  body?: unknown,
  queue?: string,
): Promise<WriteResult<R>> {
  try {
    return { data: await request<R>(path, { method, body }), queued: false };
  } catch (error) {
    if (queue && error instanceof OfflineError) {
      await enqueue({ method, path, body, label: queue });
      return { data: null, queued: true };
    }
    throw error;
  }
}

const V1 = "/api/v1";

export const api = {
  // --- accounts ------------------------------------------------------------------------
  register: (data: T.UserCreate) =>
    request<T.User>(`${V1}/auth/register`, { method: "POST", body: data }),
  login: async (data: T.LoginRequest) => {
    const token = await request<T.TokenRead>(`${V1}/auth/login`, { method: "POST", body: data });
    await rememberCsrf(token.csrf_token);
    return token;
  },
  logout: () => request<void>(`${V1}/auth/logout`, { method: "POST" }),
  me: () => cachedGet<T.User>(`${V1}/me`),
  updateMe: (data: T.UserUpdate) => request<T.User>(`${V1}/me`, { method: "PATCH", body: data }),
  deleteMe: (password: string) =>
    request<void>(`${V1}/me`, { method: "DELETE", body: { password } }),
  exportMe: () => request<unknown>(`${V1}/me/export`),
  features: () => request<T.Features>(`${V1}/features`),
  requestPasswordReset: (email: string) =>
    request<T.PasswordResetAccepted>(`${V1}/auth/password-reset`, { method: "POST", body: { email } }),
  confirmPasswordReset: (token: string, newPassword: string) =>
    request<void>(`${V1}/auth/password-reset/confirm`, {
      method: "POST",
      body: { token, new_password: newPassword },
    }),

  // --- care plan -----------------------------------------------------------------------
  carePlan: () => cachedGet<T.CarePlan>(`${V1}/care-plan`),
  updateCarePlanSettings: (data: T.CarePlanSettingsUpdate) =>
    write<T.CarePlanSettings>("PATCH", `${V1}/care-plan/settings`, data, "Care plan settings"),
  replaceResponseWindows: (windows: T.ResponseWindowCreate[]) =>
    write<T.ResponseWindow[]>("PUT", `${V1}/care-plan/response-windows`, windows, "Response windows"),
  createCarePlanItem: <K extends T.CarePlanList>(list: K, data: T.CarePlanItemCreate<K>) =>
    write<T.CarePlanItem<K>>("POST", `${V1}/care-plan/${list}`, data, `New ${list}`),
  updateCarePlanItem: <K extends T.CarePlanList>(list: K, id: string, data: T.CarePlanItemUpdate<K>) =>
    write<T.CarePlanItem<K>>("PATCH", `${V1}/care-plan/${list}/${id}`, data, `Edit ${list}`),
  deleteCarePlanItem: (list: T.CarePlanList, id: string) =>
    write<void>("DELETE", `${V1}/care-plan/${list}/${id}`, undefined, `Remove ${list}`),
  planPreview: (date: string) =>
    request<T.PlanPreview>(`${V1}/planner/preview`, { query: { date } }),

  // --- calendars -----------------------------------------------------------------------
  calendars: () => cachedGet<T.Calendar[]>(`${V1}/calendars`),
  addCalendar: (data: T.CalendarCreate) =>
    request<T.Calendar>(`${V1}/calendars`, { method: "POST", body: data }),
  uploadCalendar: (file: File, name: string, rule?: T.ClassificationRule) => {
    const form = new FormData();
    form.set("file", file);
    form.set("name", name);
    if (rule) form.set("rule", JSON.stringify(rule));
    return request<T.Calendar>(`${V1}/calendars/upload`, { method: "POST", form });
  },
  syncCalendar: (id: string) =>
    request<T.SyncResult>(`${V1}/calendars/${id}/sync`, { method: "POST" }),
  deleteCalendar: (id: string) => request<void>(`${V1}/calendars/${id}`, { method: "DELETE" }),
  freshen: () => request<T.Freshness>(`${V1}/calendars/freshen`, { method: "POST" }),
  appointments: (start: string, end: string) =>
    cachedGet<T.Appointment[]>(`${V1}/appointments`, { start, end }),
  markAppointment: (id: string, marks: T.AppointmentMarks) =>
    request<T.Appointment>(`${V1}/appointments/${id}`, { method: "PATCH", body: marks }),

  // --- reminders -----------------------------------------------------------------------
  reminders: (start: string, end: string) =>
    cachedGet<T.Reminder[]>(`${V1}/reminders`, { start, end }),
  reminder: (id: string) => request<T.Reminder>(`${V1}/reminders/${id}`),
  ack: (id: string, action: T.AckAction, snoozeMinutes = 5) =>
    write<T.ReminderAckRead>(
      "POST",
      `${V1}/reminders/${id}/ack`,
      action === "snooze" ? { action, snooze_minutes: snoozeMinutes } : { action },
      `Break ${action}`,
    ),

  // --- push ----------------------------------------------------------------------------
  vapidKey: () => request<T.VapidKey>(`${V1}/push/vapid-public-key`),
  subscriptions: () => request<T.PushSubscription[]>(`${V1}/push/subscriptions`),
  subscribe: (data: T.PushSubscriptionCreate) =>
    request<T.PushSubscription>(`${V1}/push/subscriptions`, { method: "POST", body: data }),
  renameSubscription: (id: string, name: string) =>
    request<T.PushSubscription>(`${V1}/push/subscriptions/${id}`, {
      method: "PATCH",
      body: { label: name },
    }),
  deleteSubscription: (id: string) =>
    request<void>(`${V1}/push/subscriptions/${id}`, { method: "DELETE" }),
  testPush: () => request<T.PushTestResult>(`${V1}/push/test`, { method: "POST" }),

  // --- auto-reply ----------------------------------------------------------------------
  autoreply: (format: T.AutoreplyFormat, at?: string) =>
    request<T.AutoreplyOutput>(`${V1}/autoresponder/${format}`, { query: { at } }),
  /** The file itself (Content-Disposition: attachment), for a plain download link. */
  autoreplyDownloadUrl: (format: T.AutoreplyFormat, at?: string) =>
    buildUrl(`${V1}/autoresponder/${format}`, { at, download: "true" }),
  autoreplyProfile: () => request<T.AutoreplyProfile>(`${V1}/autoresponder/profile`),
  updateAutoreplyProfile: (data: T.AutoreplyProfileUpdate) =>
    request<T.AutoreplyProfile>(`${V1}/autoresponder/profile`, { method: "PATCH", body: data }),
  crisisLines: () => request<T.CrisisLines>(`${V1}/autoresponder/crisis-lines`),
  autoreplyTemplates: () => request<T.AutoreplyTemplates>(`${V1}/autoresponder/templates`),
  saveTemplate: (slot: T.TemplateSlot, source: string) =>
    request<T.AutoreplyTemplate>(`${V1}/autoresponder/templates/${slot}`, {
      method: "PUT",
      body: { source },
    }),
  resetTemplate: (slot: T.TemplateSlot) =>
    request<void>(`${V1}/autoresponder/templates/${slot}`, { method: "DELETE" }),

  // --- the week ahead ------------------------------------------------------------------
  weekAhead: (start?: string) => request<T.WeekAhead>(`${V1}/week-ahead`, { query: { start } }),
  weekAheadSettings: () => request<T.WeekAheadSettings>(`${V1}/week-ahead/settings`),
  updateWeekAheadSettings: (data: T.WeekAheadSettingsUpdate) =>
    request<T.WeekAheadSettings>(`${V1}/week-ahead/settings`, { method: "PATCH", body: data }),
  holdTime: (start: string, end: string) =>
    request<T.HeldTime>(`${V1}/week-ahead/held-time`, { method: "POST", body: { start, end } }),
  releaseTime: (id: string) =>
    request<void>(`${V1}/week-ahead/held-time/${id}`, { method: "DELETE" }),
  heldCalendars: () => request<T.HeldCalendar[]>(`${V1}/week-ahead/calendars`),
  heldCalendarChoices: (sourceId: string) =>
    request<T.CalendarChoice[]>(`${V1}/week-ahead/calendars/${sourceId}/choices`),
  chooseHeldCalendar: (sourceId: string, calendar: string | null) =>
    request<T.HeldCalendar>(`${V1}/week-ahead/calendars/${sourceId}`, {
      method: "PUT",
      body: { calendar },
    }),

  // --- well-being ----------------------------------------------------------------------
  wellbeingSettings: () => request<T.WellbeingSettings>(`${V1}/wellbeing/settings`),
  muteSignal: (url: string) => request<T.WellbeingSettings>(url, { method: "POST", body: {} }),
  unmuteSignal: (code: string) =>
    request<T.WellbeingSettings>(`${V1}/wellbeing/signals/${encodeURIComponent(code)}/mute`, {
      method: "DELETE",
    }),
  commitments: () => request<T.Commitment[]>(`${V1}/wellbeing/commitments`),
  createCommitment: (data: T.CommitmentCreate) =>
    request<T.Commitment>(`${V1}/wellbeing/commitments`, { method: "POST", body: data }),
  deleteCommitment: (id: string) =>
    request<void>(`${V1}/wellbeing/commitments/${id}`, { method: "DELETE" }),
  createWeeklyReview: (data: T.WeeklyReviewCreate) =>
    request<T.WeeklyReview>(`${V1}/wellbeing/weekly-reviews`, { method: "POST", body: data }),
  selfCheckInstruments: () => request<T.Instrument[]>(`${V1}/wellbeing/self-checks/instruments`),
  createSelfCheck: (data: T.SelfCheckCreate) =>
    request<T.SelfCheckResult>(`${V1}/wellbeing/self-checks`, { method: "POST", body: data }),
  selfChecks: () => request<T.SelfCheckResult[]>(`${V1}/wellbeing/self-checks`),
  updateSelfCheck: (id: string, data: T.SelfCheckUpdate) =>
    request<T.SelfCheckResult>(`${V1}/wellbeing/self-checks/${id}`, { method: "PATCH", body: data }),
  weeklyReviews: () => request<T.WeeklyReview[]>(`${V1}/wellbeing/weekly-reviews`),
  updateWeeklyReview: (id: string, data: T.WeeklyReviewUpdate) =>
    request<T.WeeklyReview>(`${V1}/wellbeing/weekly-reviews/${id}`, { method: "PATCH", body: data }),
  checkins: (limit = 30) => request<T.Checkin[]>(`${V1}/wellbeing/checkins`, { query: { limit } }),
  updateCheckin: (id: string, data: T.CheckinUpdate) =>
    request<T.Checkin>(`${V1}/wellbeing/checkins/${id}`, { method: "PATCH", body: data }),
  deleteCheckin: (id: string) => request<void>(`${V1}/wellbeing/checkins/${id}`, { method: "DELETE" }),
  /** A plain link: the server answers with Content-Disposition: attachment. */
  wellbeingExportUrl: (format: "csv" | "json", dataset: T.WellbeingDataset = "checkins") =>
    buildUrl(`${V1}/wellbeing/export`, { format, dataset: format === "csv" ? dataset : undefined }),
  createCheckin: (data: T.CheckinCreate) =>
    write<T.Checkin>("POST", `${V1}/wellbeing/checkins`, data, "Check-in"),
  wellbeingSummary: (period: "week" | "month") =>
    request<T.WellbeingSummary>(`${V1}/wellbeing/summary`, { query: { period } }),
};
