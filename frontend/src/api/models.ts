/**
 * The names the screens use for the API's shapes, each pointing at the generated schema.
 *
 * `types.ts` is generated from the backend's OpenAPI document (`make api-types`); never edit it.
 * This module only gives its schemas the short names the pages read, plus the few shapes the
 * document does not describe (an error's details, a list's path segment).
 */
import type { components, operations } from "./types";

type Schemas = components["schemas"];

/**
 * A request body whose `Defaulted` fields may be left out.
 *
 * openapi-typescript treats a field with a default as always present (true of answers, which
 * is what the screens read), so a body generated from the same schema would demand fields the
 * server fills in itself. Naming them here keeps that choice visible and checked: a name that
 * is not a field of the schema does not compile.
 */
type Body<T, Defaulted extends keyof T> = Omit<T, Defaulted> & Partial<Pick<T, Defaulted>>;

export type ErrorBody = Schemas["ErrorResponse"];

// --- accounts --------------------------------------------------------------------------
export type User = Schemas["UserRead"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type LoginRequest = Schemas["LoginRequest"];
export type TokenRead = Schemas["TokenRead"];
export type Features = Schemas["FeaturesRead"];
export type PasswordResetAccepted = Schemas["PasswordResetAccepted"];

// --- care plan -------------------------------------------------------------------------
export type Activity = Schemas["MicroBreakRuleRead"]["activity"];
export type BreakTrigger = Schemas["MicroBreakRuleRead"]["trigger"];
export type RitualTrigger = Schemas["RitualRead"]["trigger"];

export type CarePlan = Schemas["CarePlanRead"];
export type CarePlanSettings = Schemas["CarePlanSettingsRead"];
export type CarePlanSettingsUpdate = Schemas["CarePlanSettingsUpdate"];
export type MicroBreakRule = Schemas["MicroBreakRuleRead"];
export type ResponseWindowCreate = Schemas["ResponseWindowCreate"];
export type ResponseWindow = Schemas["ResponseWindowRead"];
export type TimeOff = Schemas["TimeOffRead"];
export type Ritual = Schemas["RitualRead"];

/** The care plan's item lists, by the path segment of their endpoints. */
interface CarePlanLists {
  "micro-breaks": {
    read: MicroBreakRule;
    create: Body<
      Schemas["MicroBreakRuleCreate"],
      "trigger" | "min_gap_minutes" | "duration_minutes" | "activity" | "enabled"
    >;
    update: Schemas["MicroBreakRuleUpdate"];
  };
  "time-off": { read: TimeOff; create: Body<Schemas["TimeOffCreate"], "kind" | "label">; update: Schemas["TimeOffUpdate"] };
  rituals: {
    read: Ritual;
    create: Body<Schemas["RitualCreate"], "trigger" | "duration_minutes" | "enabled">;
    update: Schemas["RitualUpdate"];
  };
  "response-windows": { read: ResponseWindow; create: ResponseWindowCreate; update: Schemas["ResponseWindowUpdate"] };
}
export type CarePlanList = keyof CarePlanLists;
export type CarePlanItem<K extends CarePlanList> = CarePlanLists[K]["read"];
export type CarePlanItemCreate<K extends CarePlanList> = CarePlanLists[K]["create"];
export type CarePlanItemUpdate<K extends CarePlanList> = CarePlanLists[K]["update"];

export type PlannedItem = Schemas["PlannedReminderRead"];
/** The planner preview: what a day would look like with the current care plan. */
export type PlanPreview = Schemas["PlannerPreviewRead"];

// --- calendars -------------------------------------------------------------------------
export type Calendar = Schemas["CalendarRead"];
export type CalendarKind = Schemas["CalendarCreate"]["kind"] | "upload";
export type ClassificationRule = Schemas["ClassificationRule"];
export type CalendarCreate = Schemas["CalendarCreate"];
export type SyncResult = Schemas["SyncResultRead"];
export type Freshness = Schemas["FreshnessRead"];
export type Appointment = Schemas["AppointmentRead"];
/** Marks on one occurrence: send only the flags that change. */
export type AppointmentMarks = Body<Schemas["AppointmentUpdate"], "intense" | "telehealth">;

// --- reminders -------------------------------------------------------------------------
export type Reminder = Schemas["ReminderRead"];
export type AckAction = Schemas["ReminderAck"]["action"];
export type ReminderAck = Body<Schemas["ReminderAck"], "snooze_minutes">;
export type ReminderAckRead = Schemas["ReminderAckRead"];

// --- push ------------------------------------------------------------------------------
export type VapidKey = Schemas["VapidPublicKeyRead"];
export type PushSubscriptionCreate = Body<Schemas["PushSubscriptionCreate"], "label">;
export type PushSubscription = Schemas["PushSubscriptionRead"];
export type PushTestResult = Schemas["PushTestRead"];

// --- auto-reply ------------------------------------------------------------------------
export type AutoreplyFormat = operations["generate_auto_reply"]["parameters"]["path"]["format"];
export type AutoreplyTone = Schemas["ProfileRead"]["tone"];
export type TemplateSlot = Schemas["TemplateRead"]["slot"];
export type AutoreplyProfile = Schemas["ProfileRead"];
/** PATCH body: any subset; switching the emergency line off needs the acknowledgement. */
export type AutoreplyProfileUpdate = Body<Schemas["ProfileUpdate"], "acknowledge_no_emergency_line">;
export type CrisisLines = Schemas["CrisisLinesRead"];
export type AutoreplyTemplate = Schemas["TemplateRead"];
export type AutoreplyTemplates = Schemas["TemplatesRead"];
/** The JSON answer of a format (the file itself is a download link). */
export type AutoreplyOutput = Schemas["AutoReplyRead"];
/** A 422 from PUT /templates/{slot}: where the template went wrong (the error's `details`). */
export interface TemplateProblem {
  slot: string;
  line: number | null;
  message: string;
}

// --- well-being ------------------------------------------------------------------------
export type CheckinCreate = Schemas["CheckInCreate"];
export type CheckinUpdate = Schemas["CheckInUpdate"];
export type Checkin = Schemas["CheckInRead"];
export type WellbeingSettings = Schemas["SettingsRead"];
export type Signal = Schemas["SignalRead"];
export type WellbeingSummary = Schemas["SummaryRead"];
export type WeeklyReviewCreate = Schemas["WeeklyReviewCreate"];
/** One of the early-warning signs a weekly review can tick (their labels: settings.warning_signs). */
export type WarningSign = NonNullable<WeeklyReviewCreate["warning_signs"]>[number];
export type WeeklyReviewUpdate = Schemas["WeeklyReviewUpdate"];
export type WeeklyReview = Schemas["WeeklyReviewRead"];
export type WellbeingDataset = NonNullable<
  NonNullable<operations["export_wellbeing"]["parameters"]["query"]>["dataset"]
>;
export type Instrument = Schemas["InstrumentRead"];
export type SelfCheckCreate = Schemas["SelfCheckCreate"];
export type SelfCheckUpdate = Schemas["SelfCheckUpdate"];
export type SelfCheckResult = Schemas["SelfCheckRead"];
export type Commitment = Schemas["CommitmentRead"];
export type CommitmentCreate = Body<
  Schemas["CommitmentCreate"],
  "label" | "duration_minutes" | "frequency" | "active"
>;

// --- the week ahead --------------------------------------------------------------------
export type WeekAhead = Schemas["WeekAheadRead"];
export type WeekDay = Schemas["WeekDayRead"];
export type Suggestion = Schemas["SuggestionRead"];
export type HeldTime = Schemas["HeldTimeRead"];
export type WeekAheadSettings = Schemas["WeekAheadSettingsRead"];
export type WeekAheadSettingsUpdate = Schemas["WeekAheadSettingsUpdate"];
export type HeldCalendar = Schemas["HeldCalendarRead"];
export type CalendarChoice = Schemas["CalendarChoiceRead"];
