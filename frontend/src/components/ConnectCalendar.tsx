/** Connect a calendar: sample (one tap), ICS link with how-to, CalDAV, or a file upload. */
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Calendar, ClassificationRule } from "../api/models";
import { Details, Field, FormError } from "./Form";

type Mode = "ics" | "caldav" | "upload";

/** Said under every source's address or file, the upload's included. */
export const PRIVACY = "Only times are kept. Client names and notes are never stored.";

const HOW_TO: [string, string][] = [
  [
    "SimplePractice",
    "Settings → Calendar → Calendar sync. Turn on “Sync with other calendars”, choose the “Client initials” or “Time only” detail level, and copy the subscription link.",
  ],
  [
    "TherapyNotes",
    "Scheduling → Calendar → Subscribe (iCal). Create a subscription link and copy it.",
  ],
  [
    "Google Calendar",
    "On a computer: Settings → your calendar → Integrate calendar → copy the “Secret address in iCal format”.",
  ],
  [
    "Outlook / Microsoft 365",
    "Settings → Calendar → Shared calendars → Publish a calendar → choose “Can view all details” → copy the ICS link.",
  ],
  [
    "iCloud",
    "Calendar app → tap ⓘ next to the calendar → turn on Public Calendar → Share Link. Interlude accepts the webcal:// link.",
  ],
];

/** "Which events are client sessions?" as the API's classification rule. */
export function ruleFrom(form: FormData): ClassificationRule {
  const mode = String(form.get("rule_mode") ?? "all_timed") as ClassificationRule["mode"];
  const words = (key: string) =>
    String(form.get(key) ?? "")
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean);
  const minutes = (key: string) => {
    const value = Number(form.get(key));
    return Number.isFinite(value) && value > 0 ? value : null;
  };
  if (mode === "keywords") return { mode, include: words("include"), exclude: words("exclude") };
  if (mode === "duration") return { mode, min_minutes: minutes("min_minutes"), max_minutes: minutes("max_minutes") };
  return { mode: "all_timed" };
}

function SessionRule() {
  const [mode, setMode] = useState<ClassificationRule["mode"]>("all_timed");
  return (
    <Details summary="Which events are client sessions?">
      <div class="stack">
        <div class="field">
          <label for="rule-mode">Count as a session</label>
          <select
            id="rule-mode"
            name="rule_mode"
            value={mode}
            onChange={(e) => setMode((e.target as HTMLSelectElement).value as ClassificationRule["mode"])}
          >
            <option value="all_timed">Every event with a time (a practice calendar)</option>
            <option value="keywords">Events whose title has certain words</option>
            <option value="duration">Events of a certain length</option>
          </select>
        </div>
        {mode === "keywords" && (
          <>
            <Field label="Title contains any of (comma-separated)" name="include" placeholder="session, client, intake" />
            <Field label="But not (comma-separated)" name="exclude" placeholder="lunch, admin, supervision" />
          </>
        )}
        {mode === "duration" && (
          <div class="row">
            <Field label="At least (minutes)" name="min_minutes" type="number" min={1} inputMode="numeric" value="45" />
            <Field label="At most (minutes)" name="max_minutes" type="number" min={1} inputMode="numeric" value="60" />
          </div>
        )}
        <p class="muted">Titles are read on the server to decide, then dropped: they are never stored.</p>
      </div>
    </Details>
  );
}

export function ConnectCalendar({
  onConnected,
  headingLevel = 2,
}: {
  onConnected: (c: Calendar) => void;
  /** Level of its own heading: below the page's (2 in onboarding, 4 inside a Settings card). */
  headingLevel?: 2 | 4;
}) {
  const Heading = headingLevel === 4 ? "h4" : "h2";
  const [mode, setMode] = useState<Mode>("ics");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<Calendar>) => {
    setBusy(true);
    setError(null);
    try {
      onConnected(await action());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    const value = (key: string) => String(form.get(key) ?? "").trim();
    if (mode === "upload") {
      const file = (element.elements.namedItem("file") as HTMLInputElement | null)?.files?.[0];
      if (!(file instanceof File) || !file.size) {
        setError("Choose an .ics file first.");
        return;
      }
      run(() => api.uploadCalendar(file, value("name") || file.name, ruleFrom(form)));
    } else if (mode === "ics") {
      run(() =>
        api.addCalendar({ kind: "ics_url", name: value("name") || "My calendar", url: value("url"), rule: ruleFrom(form) }),
      );
    } else {
      run(() =>
        api.addCalendar({
          kind: "caldav",
          name: value("name") || "CalDAV calendar",
          url: value("url"),
          username: value("username"),
          password: value("password"),
          rule: ruleFrom(form),
        }),
      );
    }
  };

  return (
    <div class="connect">
      <button
        type="button"
        class="btn btn-primary btn-wide"
        disabled={busy}
        onClick={() => run(() => api.addCalendar({ kind: "sample", name: "Sample calendar" }))}
      >
        Try with a sample calendar
      </button>
      <p class="muted center">or connect your own</p>
      <div class="segmented" role="group" aria-label="Calendar type">
        {(
          [
            ["ics", "Calendar link"],
            ["caldav", "CalDAV"],
            ["upload", "Upload file"],
          ] as [Mode, string][]
        ).map(([key, label]) => (
          <button type="button" aria-pressed={mode === key} onClick={() => setMode(key)} key={key}>
            {label}
          </button>
        ))}
      </div>
      <form onSubmit={submit} class="stack">
        <Field label="Name" name="name" placeholder="Practice calendar" autoComplete="off" />
        {mode !== "upload" && (
          <Field
            label={mode === "ics" ? "Calendar link (ICS)" : "CalDAV address"}
            name="url"
            type="url"
            inputMode="url"
            required
            placeholder={mode === "ics" ? "https://… or webcal://…" : "https://caldav.example.com/…"}
            hint={PRIVACY}
          />
        )}
        {mode === "caldav" && (
          <>
            <Field label="Username" name="username" autoComplete="username" required />
            <Field label="Password or app password" name="password" type="password" autoComplete="current-password" required />
          </>
        )}
        {mode === "upload" && (
          <Field
            label="Calendar file (.ics)"
            name="file"
            type="file"
            accept=".ics,text/calendar"
            hint={PRIVACY}
          />
        )}
        <SessionRule />
        <FormError error={error} />
        <button type="submit" class="btn" disabled={busy}>
          {busy ? "Connecting…" : "Connect"}
        </button>
      </form>
      {mode === "ics" && (
        <div class="stack">
          <Heading>Where to find your link</Heading>
          {HOW_TO.map(([name, text]) => (
            <Details summary={name} key={name}>
              <p>{text}</p>
            </Details>
          ))}
        </div>
      )}
    </div>
  );
}
