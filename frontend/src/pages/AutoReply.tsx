/** Auto-reply: pick a channel, preview it as a client would read it, copy or download it. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AutoreplyFormat, AutoreplyOutput } from "../api/models";
import type { AutoreplyProfile } from "../api/models";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";
import { deviceTimeZone, formatDateTime } from "../lib/time";
import { ProfileEditor, ToneChips } from "./AutoReplyProfile";
import { slotFor, TemplateEditor } from "./AutoReplyTemplates";

type Channel = [AutoreplyFormat, string, string[]];

/** What most therapists paste somewhere by hand: on the main screen. */
const CHANNELS: Channel[] = [
  ["email", "Email", [
    "Tap Copy.",
    "Open your mail program's automatic reply: in Gmail (web), Settings → See all settings → General → Vacation responder; in Outlook, Settings → Mail → Automatic replies.",
    "Paste the subject and the text, switch it on and save.",
    "These hold one text at a time. To answer only outside your windows, every week, see Advanced below.",
  ]],
  ["portal", "Portal", [
    "Tap Copy.",
    "In your client portal (SimplePractice, TherapyNotes and others), open the away message or the messaging guidelines.",
    "Paste and save. It fits the portals' 300 characters.",
  ]],
  ["sms", "SMS", [
    "Tap Copy.",
    "Open your phone's or your business texting service's auto-reply setting.",
    "Paste and save. It fits one SMS (160 characters).",
  ]],
  ["voicemail", "Voicemail", [
    "Open your voicemail's greeting setting and start recording.",
    "Read the text aloud: it takes under 45 seconds.",
    "It states your weekly hours, so re-record it only when they change.",
  ]],
];

/** Mail filters, mail APIs and a calendar of closed periods: under "Advanced". */
const ADVANCED: Channel[] = [
  ["sieve", "Sieve", [
    "Tap Download to save the .sieve file.",
    "Open your mail host's filters: Fastmail, Settings → Filters & Rules → Edit custom Sieve code; Dovecot/Pigeonhole, ManageSieve (Roundcube or Thunderbird's Sieve add-on); many cPanel hosts, Email Filters.",
    "Upload or paste the file there and save. It answers only outside your windows, every week.",
    "Download it again after changing your windows or time off, and at least once a year.",
  ]],
  ["gmail", "Gmail", [
    "On a computer, open Gmail → Settings → See all settings → General → Vacation responder, and switch it on.",
    "Set the first and last day to the closed period shown here.",
    "Tap Copy and paste the subject and the message, then Save changes.",
    "Gmail holds one period at a time: come back after this one ends for the next.",
  ]],
  ["graph", "Outlook", [
    "In Outlook, open File → Automatic Replies (on the web: Settings → Mail → Automatic replies) and switch them on.",
    "Choose “Only send during this time range” and enter the closed period shown here.",
    "Paste the text of the Email channel (Email → Copy, at the top) for people inside and outside your organisation, then OK.",
    "Outlook holds one period at a time: come back after this one ends for the next.",
  ]],
  ["ics", "Calendar (ics)", [
    "Tap Download to save the .ics file.",
    "Import it into your calendar: your closed periods for the next four weeks, marked free, each with the crisis line.",
    "Use them as reminders to switch Gmail or Outlook replies, which hold one period at a time.",
  ]],
];

const FORMATS = [...CHANNELS, ...ADVANCED];

/** The text a person reads or pastes: the known text fields, else pretty JSON. */
const MACHINE_FORMATS: AutoreplyFormat[] = ["sieve", "gmail", "graph", "ics"];

export function displayText(output: Pick<AutoreplyOutput, "format" | "content" | "download">): string {
  const { content } = output;
  if (output.download && MACHINE_FORMATS.includes(output.format)) return output.download;
  const parts: string[] = [];
  for (const key of ["subject", "text", "plain", "body", "script"]) {
    const value = content[key];
    if (typeof value === "string" && value) parts.push(key === "subject" ? `Subject: ${value}` : value);
  }
  if (parts.length) return parts.join("\n\n");
  if (output.download) return output.download;
  return JSON.stringify(content, null, 2);
}

/** Gmail and Outlook: the period and the text to paste; the API body only for scripts. */
function MailApiText({ output, zone }: { output: AutoreplyOutput; zone: string }) {
  const content = output.content as {
    period?: { start: string; end: string } | null;
    vacation_settings?: { responseSubject?: string; responseBodyPlainText?: string };
  };
  return (
    <>
      {content.period ? (
        <p data-testid="autoreply-period">
          Closed period: <strong>{formatDateTime(content.period.start, zone)}</strong> to{" "}
          <strong>{formatDateTime(content.period.end, zone)}</strong>
        </p>
      ) : null}
      {content.vacation_settings ? (
        <pre class="preview" data-testid="autoreply-preview" tabIndex={0}>
          {`Subject: ${content.vacation_settings.responseSubject ?? ""}\n\n${content.vacation_settings.responseBodyPlainText ?? ""}`}
        </pre>
      ) : null}
      <details class="details">
        <summary>For a script: the API request</summary>
        <pre class="preview" data-testid="autoreply-json" tabIndex={0}>
          {displayText(output)}
        </pre>
      </details>
    </>
  );
}

/** The chosen channel's text, its checks, Copy/Download and the steps to use it. */
function Output({ output, text, zone, onCopy, downloadUrl }: {
  output: AutoreplyOutput;
  text: string;
  zone: string;
  onCopy: (text: string) => void;
  downloadUrl: string;
}) {
  const content = output.content;
  const steps = FORMATS.find(([f]) => f === output.format)?.[2] ?? [];
  const mailApi = output.format === "gmail" || output.format === "graph";
  const copied = mailApi ? pasteText(output) : text;
  return (
    <div class="card">
      {mailApi ? (
        <MailApiText output={output} zone={zone} />
      ) : (
        <pre class="preview" data-testid="autoreply-preview" tabIndex={0}>
          {text}
        </pre>
      )}
      {typeof content.read_seconds === "number" && <p class="muted">About {Math.round(content.read_seconds)} s to read aloud.</p>}
      {typeof content.length === "number" && typeof content.limit === "number" && (
        <p class="muted">
          {content.length} of {content.limit} characters
        </p>
      )}
      {output.emergency_included === true && <p class="ok">Includes your crisis line.</p>}
      {output.emergency_included === false && (
        <p class="notice">This reply has no crisis line. Check your emergency settings.</p>
      )}
      {output.warnings.map((w) => (
        <p class="notice" key={w}>
          {w}
        </p>
      ))}
      <div class="row">
        {copied && (
          <button type="button" class="btn btn-primary" onClick={() => onCopy(copied)}>
            Copy
          </button>
        )}
        <a class="btn" href={downloadUrl} download={output.filename}>
          Download
        </a>
      </div>
      <h2>How to use it</h2>
      <ol class="steps" data-testid="autoreply-steps">
        {steps.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>
    </div>
  );
}

/** What a person pastes into Gmail or Outlook by hand: subject and plain text, no markup. */
function pasteText(output: AutoreplyOutput): string {
  const settings = (output.content as { vacation_settings?: { responseSubject?: string; responseBodyPlainText?: string } }).vacation_settings;
  if (settings) return `${settings.responseSubject ?? ""}\n\n${settings.responseBodyPlainText ?? ""}`.trim();
  return "";
}

export default function AutoReply() {
  const { toast, user } = useApp();
  const zone = user?.timezone ?? deviceTimeZone();
  const [format, setFormat] = useState<AutoreplyFormat>("email");
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [at, setAt] = useState("");
  const [output, setOutput] = useState<AutoreplyOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [profile, setProfile] = useState<AutoreplyProfile | null>(null);
  const [version, setVersion] = useState(0); // bumped after each profile/template change
  const atIso = at ? new Date(at).toISOString() : undefined;
  const advanced = ADVANCED.some(([f]) => f === format);

  useEffect(() => {
    api.autoreplyProfile().then(setProfile).catch((e) => setError((e as Error).message));
  }, []);
  const saved = (p: AutoreplyProfile) => {
    setProfile(p);
    setVersion((v) => v + 1);
  };

  useEffect(() => {
    setError(null);
    api
      .autoreply(format, atIso)
      .then(setOutput)
      .catch((e) => {
        setOutput(null);
        setError((e as Error).message);
      });
  }, [format, at, version]);

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied.");
    } catch {
      toast("Copying is blocked here: select the text and copy it by hand.");
    }
  };
  const shown = output && output.format === format ? output : null;
  const result = shown && (
    <Output
      output={shown}
      text={displayText(shown)}
      zone={zone}
      onCopy={copy}
      downloadUrl={api.autoreplyDownloadUrl(format, atIso)}
    />
  );
  const chips = (channels: Channel[], label: string) => (
    <div class="chips" role="group" aria-label={label}>
      {channels.map(([f, name]) => (
        <button type="button" class="chip" aria-pressed={format === f} onClick={() => setFormat(f)} key={f}>
          {name}
        </button>
      ))}
    </div>
  );

  const head = (
    <header class="page-head">
      <h1 id="ar-title">Auto-reply</h1>
      <p class="muted">Replies built from your response windows, always with the crisis line.</p>
    </header>
  );
  // The screen appears once the profile and the first preview are both here: arriving one
  // after the other, they pushed everything below them down (CLS 0.17 in Lighthouse).
  if ((!profile || !output) && !error) {
    return (
      <section aria-labelledby="ar-title">
        {head}
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="ar-title">
      {head}
      <ToneChips profile={profile} onSaved={saved} />
      {chips(CHANNELS, "Channel")}
      <div class="field">
        <label for="ar-at">Preview as a client would read it at (empty: now)</label>
        <input id="ar-at" type="datetime-local" value={at} onChange={(e) => setAt((e.target as HTMLInputElement).value)} />
      </div>
      {!advanced && <FormError error={error} />}
      {!advanced && result}
      {profile && <ProfileEditor profile={profile} onSaved={saved} />}
      <details
        class="card details advanced"
        open={advancedOpen || advanced}
        onToggle={(e) => setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)}
        data-testid="autoreply-advanced"
      >
        <summary>Advanced: mail filters, Gmail, Outlook and templates</summary>
        <p class="muted">
          Replies that switch themselves on outside your windows (Sieve), Gmail's and Outlook's scheduled replies, your
          closed periods as a calendar, and your own templates.
        </p>
        {chips(ADVANCED, "Advanced channel")}
        {advanced && <FormError error={error} />}
        {advanced && result}
        <TemplateEditor initialSlot={slotFor(format)} onSaved={() => setVersion((v) => v + 1)} />
      </details>
    </section>
  );
}
