/** Request and response shapes of the API (mirrors backend/interlude/<domain>/schemas.py). */

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

// --- accounts --------------------------------------------------------------------------
export interface User {
  id: string;
  email: string;
  display_name: string;
  timezone: string;
  created_at: string;
}
export interface UserCreate {
  email: string;
  password: string;
  display_name: string;
  timezone: string;
}
export interface UserUpdate {
  display_name?: string;
  timezone?: string;
}
export interface LoginRequest {
  email: string;
  password: string;
}
export interface TokenRead {
  access_token: string;
  token_type: "bearer";
  csrf_token: string;
  expires_at: string;
}

// --- care plan -------------------------------------------------------------------------
export type Activity = "box_breathing" | "breathing_478" | "stretch" | "water" | "step_outside" | "custom";
export type BreakTrigger = "after_session" | "fixed_time" | "interval";
export type RitualTrigger = "after_every_session" | "after_intense" | "after_telehealth" | "end_of_day";

export interface CarePlanSettings {
  quiet_start: string | null; // "HH:MM:SS"
  quiet_end: string | null;
  daily_cap: number;
  working_days: number[]; // 0 = Monday
  working_start: string;
  working_end: string;
  typical_reply_time: string;
  notify_window_close: boolean;
}
export interface MicroBreakRule {
  id: string;
  trigger: BreakTrigger;
  min_gap_minutes: number;
  at_time: string | null;
  every_minutes: number | null;
  duration_minutes: number;
  activity: Activity;
  custom_text: string | null;
  enabled: boolean;
}
export interface ResponseWindowCreate {
  weekday: number;
  start_time: string;
  end_time: string;
}
export interface ResponseWindow extends ResponseWindowCreate {
  id: string;
}
export interface TimeOff {
  id: string;
  start_date: string;
  end_date: string;
  kind: "pto" | "holiday";
  label: string;
}
export interface Ritual {
  id: string;
  name: string;
  steps: string[];
  trigger: RitualTrigger;
  duration_minutes: number;
  enabled: boolean;
}
export interface CarePlan {
  settings: CarePlanSettings;
  micro_breaks: MicroBreakRule[];
  response_windows: ResponseWindow[];
  time_off: TimeOff[];
  rituals: Ritual[];
}
export type CarePlanList = "micro-breaks" | "time-off" | "rituals" | "response-windows";
export type CarePlanItem<K extends CarePlanList> = K extends "micro-breaks"
  ? MicroBreakRule
  : K extends "time-off"
    ? TimeOff
    : K extends "rituals"
      ? Ritual
      : ResponseWindow;

export interface PlannedItem {
  kind: string;
  due_at: string;
  expires_at?: string;
  title: string;
  body?: string;
  activity?: Activity | null;
  duration_minutes?: number;
}
/** The planner preview: what a day would look like with the current care plan. */
export interface PlanPreview {
  date?: string;
  reminders: PlannedItem[];
  appointments?: Appointment[];
}

// --- calendars -------------------------------------------------------------------------
export type CalendarKind = "ics_url" | "caldav" | "upload" | "sample";
export interface Calendar {
  id: string;
  kind: CalendarKind | string;
  name: string;
  url: string | null; // masked by the server
  status: string;
  last_error: string | null;
  warnings: string[];
  last_synced_at: string | null;
  next_sync_at: string | null;
  appointment_count: number;
  session_count: number;
  created_at: string;
}
export interface ClassificationRule {
  mode: "all_timed" | "keywords" | "duration";
  include?: string[];
  exclude?: string[];
  min_minutes?: number | null;
  max_minutes?: number | null;
}
export interface CalendarCreate {
  kind: "ics_url" | "caldav" | "sample";
  rule?: ClassificationRule;
  name?: string;
  url?: string;
  username?: string;
  password?: string;
}
export interface SyncResult {
  status: string;
  counts: { added: number; changed: number; removed: number };
  warnings: string[];
  error: string | null;
}
export interface Appointment {
  id: string;
  source_id?: string;
  start: string;
  end: string;
  kind: "session" | "other" | string;
  all_day?: boolean;
  telehealth?: boolean;
  intense?: boolean;
}

// --- reminders -------------------------------------------------------------------------
export type AckAction = "done" | "snooze" | "skip";
export interface Reminder {
  id: string;
  kind: string;
  due_at: string;
  expires_at: string;
  state: string;
  title: string;
  body: string;
  activity: Activity | null;
  duration_minutes: number;
  ritual_steps: string[];
  ack_action: AckAction | null;
  acked_at: string | null;
}
export interface ReminderAckRead {
  reminder: Reminder;
  snoozed: Reminder | null;
}

// --- push ------------------------------------------------------------------------------
export interface VapidKey {
  public_key: string;
}
export interface PushSubscriptionCreate {
  endpoint: string;
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
  label?: string;
}
export interface PushSubscription {
  id: string;
  label: string;
  endpoint: string;
  created_at: string;
  last_sent_at: string | null;
  last_outcome: string | null;
  last_error: string | null;
}
export interface PushTestResult {
  sent: number;
  results: { subscription_id: string; label: string; outcome: string; reason: string }[];
}

// --- auto-reply ------------------------------------------------------------------------
export type AutoreplyFormat = "email" | "portal" | "sms" | "voicemail" | "sieve" | "gmail" | "graph" | "ics";
export type AutoreplyTone = "warm" | "professional" | "brief";
export type TemplateSlot = "email_subject" | "email" | "portal" | "sms" | "voicemail" | "sieve";
export interface AutoreplyProfile {
  credentials: string;
  practice_name: string;
  tone: AutoreplyTone;
  language: string;
  country: string;
  emergency_text: string | null;
  emergency_text_short: string | null;
  emergency_enabled: boolean;
  covering_name: string;
  covering_contact: string;
  secure_channel_name: string;
  secure_channel_url: string;
  email_not_secure_note: boolean;
  reader_timezone: string;
  reader_timezone_is_default: boolean;
  mail_addresses: string[];
  sieve_days: number;
  sieve_seconds: number | null;
  custom_templates: string[];
  emergency: { text: string; short: string; spoken: string };
  warnings: string[];
  updated_at: string;
}
/** PATCH body: any subset; switching the emergency line off needs the acknowledgement. */
export type AutoreplyProfileUpdate = Partial<
  Omit<AutoreplyProfile, "custom_templates" | "emergency" | "warnings" | "updated_at" | "reader_timezone_is_default" | "reader_timezone">
> & { acknowledge_no_emergency_line?: boolean; reader_timezone?: string | null };
export interface CrisisLines {
  countries: string[];
  selected: string;
  lines: { country: string; kind: "emergency" | "crisis"; name: string; number: string; call: boolean; text: boolean; source: string }[];
}
export interface AutoreplyTemplate {
  slot: TemplateSlot;
  custom: boolean;
  source: string;
  variables: string[];
}
export interface AutoreplyTemplates {
  tone: AutoreplyTone;
  language: string;
  templates: AutoreplyTemplate[];
}
/** A 422 from PUT /templates/{slot}: where the template went wrong. */
export interface TemplateProblem {
  slot: string;
  line: number | null;
  message: string;
}
/** Each format answers with its own fields; the screen shows the text ones. */
export type AutoreplyOutput = Record<string, unknown>;

// --- well-being ------------------------------------------------------------------------
export interface CheckinCreate {
  energy: number;
  emotions: string[];
  sleep_quality?: number | null;
  moved?: boolean | null;
  connected?: boolean | null;
  insight?: string | null;
  gratitude?: string | null;
}
export type CheckinUpdate = Partial<CheckinCreate>;
export interface Checkin extends CheckinCreate {
  id: string;
  at: string;
  local_date: string;
  created_at: string;
  privacy_reminder: string;
}
export interface WellbeingSettings {
  weekly_caseload_limit: number;
  emotion_words: string[];
  warning_signs: Record<string, string>;
  privacy_reminder: string;
}
export interface Signal {
  code: string;
  title: string;
  detail: string;
  nudge: string;
  mute_url: string;
}
export interface WellbeingSummary {
  period: "week" | "month";
  start: string;
  end: string;
  timezone: string;
  days: Record<string, unknown>[];
  weeks: Record<string, unknown>[];
  chart: Record<string, unknown>;
  indicators: Record<string, unknown>;
  correlations: Record<string, unknown>[];
  signals: Signal[];
  muted_signals?: Record<string, string | null>;
}
export interface WeeklyReviewCreate {
  warning_signs: string[];
  fulfillment?: string | null;
}
export interface WeeklyReview extends WeeklyReviewCreate {
  id: string;
  week_start: string;
  warning_sign_count: number;
}
export type WellbeingDataset = "checkins" | "weekly_reviews" | "self_checks" | "commitments";
export interface Instrument {
  id: string;
  name: string;
  validated: boolean;
  disclaimer: string;
  scale_min: number;
  scale_max: number;
  scale_labels: string[];
  items: { id: string; dimension: string; text: string }[];
}
export interface SelfCheckResult {
  id: string;
  month: string;
  instrument?: string;
  answers?: Record<string, number>;
  note?: string | null;
  disclaimer?: string;
  scores: { dimension: string; label: string; score: number; band: string; higher_means: string }[];
}
export interface Commitment {
  id: string;
  kind: "supervision" | "peer" | "personal_therapy";
  label: string;
  weekday: number;
  start_time: string;
  duration_minutes: number;
  frequency: "weekly" | "biweekly" | "monthly";
  next_occurrence?: string | null;
}
