/** Auto-reply: pick a channel, preview it as a client would read it, copy or download it. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AutoreplyFormat, AutoreplyOutput } from "../api/models";
import type { AutoreplyProfile } from "../api/models";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";
import { ProfileEditor, ToneChips } from "./AutoReplyProfile";
import { slotFor, TemplateEditor } from "./AutoReplyTemplates";

const FORMATS: [AutoreplyFormat, string, string[]][] = [
  ["email", "Email", [
    "Copy the text (or the subject and text) into your mail program's out-of-office or automatic-reply setting.",
    "Gmail (web): Settings → See all settings → General → Vacation responder. Outlook: Settings → Mail → Automatic replies.",
    "Those hold one text at a time: to answer only outside your windows automatically, use Sieve, Gmail or Outlook below.",
  ]],
  ["portal", "Portal", [
    "Paste into your client portal's away message or messaging guidelines (SimplePractice, TherapyNotes and others). It fits 300 characters.",
  ]],
  ["sms", "SMS", [
    "Use as your text-message auto-reply (your phone's or your business texting service's). One SMS: 160 characters.",
  ]],
  ["voicemail", "Voicemail", [
    "Read this aloud when you record your voicemail greeting; it is timed for under 45 seconds.",
    "The greeting states your weekly hours, so re-record it only when they change.",
  ]],
  ["sieve", "Sieve", [
    "Download the .sieve file and upload it as a filter on a mail host that supports Sieve: Fastmail (Settings → Filters & Rules → Edit custom Sieve code), Dovecot/Pigeonhole (ManageSieve, e.g. in Roundcube or Thunderbird's Sieve add-on), many cPanel hosts.",
    "It answers only outside your windows, every week. Download it again after changing your windows or time off, and at least once a year.",
  ]],
  ["gmail", "Gmail", [
    "Gmail holds one vacation period at a time: this is the next closed period, as the body of the Gmail API's users.settings.updateVacation.",
    "Apply it with a script or an automation tool; come back after the period ends, or use Sieve where your host allows.",
  ]],
  ["graph", "Outlook", [
    "Outlook holds one scheduled period at a time: this is the next one, as Microsoft Graph's mailboxSettings automaticRepliesSetting (PATCH /me/mailboxSettings).",
    "In Outlook itself: File → Automatic Replies → Only send during this time range, with the text from the Email channel.",
  ]],
  ["ics", "Calendar (ics)", [
    "Download the .ics file and import it into your calendar: your closed periods for the next four weeks, marked free, with the crisis line in each.",
    "Useful as reminders to switch Gmail or Outlook auto-replies, which hold one period at a time.",
  ]],
];

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

export default function AutoReply() {
  const { toast } = useApp();
  const [format, setFormat] = useState<AutoreplyFormat>("email");
  const [at, setAt] = useState("");
  const [output, setOutput] = useState<AutoreplyOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [profile, setProfile] = useState<AutoreplyProfile | null>(null);
  const [version, setVersion] = useState(0); // bumped after each profile/template change
  const atIso = at ? new Date(at).toISOString() : undefined;

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

  const text = output ? displayText(output) : "";
  const info = FORMATS.find(([f]) => f === format);
  const warnings = output?.warnings ?? [];
  const content = output?.content ?? {};

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied.");
    } catch {
      toast("Copying is blocked here: select the text and copy it by hand.");
    }
  };

  return (
    <section aria-labelledby="ar-title">
      <header class="page-head">
        <h1 id="ar-title">Auto-reply</h1>
        <p class="muted">Replies built from your response windows, always with the crisis line.</p>
      </header>
      <ToneChips profile={profile} onSaved={saved} />
      <div class="chips" role="group" aria-label="Channel">
        {FORMATS.map(([f, label]) => (
          <button type="button" class="chip" aria-pressed={format === f} onClick={() => setFormat(f)} key={f}>
            {label}
          </button>
        ))}
      </div>
      <div class="field">
        <label for="ar-at">Preview as a client would read it at (empty: now)</label>
        <input id="ar-at" type="datetime-local" value={at} onChange={(e) => setAt((e.target as HTMLInputElement).value)} />
      </div>
      <FormError error={error} />
      {output && (
        <div class="card">
          <pre class="preview" data-testid="autoreply-preview" tabIndex={0}>
            {text}
          </pre>
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
          {warnings.map((w) => (
            <p class="notice" key={w}>
              {w}
            </p>
          ))}
          <div class="row">
            <button type="button" class="btn btn-primary" onClick={copy}>
              Copy
            </button>
            <a class="btn" href={api.autoreplyDownloadUrl(format, atIso)} download={output.filename}>
              Download
            </a>
          </div>
        </div>
      )}
      {info && (
        <section class="card" aria-labelledby="ar-how">
          <h2 id="ar-how">How to use it</h2>
          {info[2].map((line) => (
            <p key={line}>{line}</p>
          ))}
        </section>
      )}
      {profile && <ProfileEditor profile={profile} onSaved={saved} />}
      <TemplateEditor initialSlot={slotFor(format)} onSaved={() => setVersion((v) => v + 1)} />
    </section>
  );
}
