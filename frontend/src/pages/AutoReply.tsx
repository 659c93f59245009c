/** Auto-reply: pick a channel, preview it as a client would read it, copy or download it. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AutoreplyFormat, AutoreplyOutput } from "../api/types";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";

const FORMATS: [AutoreplyFormat, string, string][] = [
  ["email", "Email", "Paste into your mail program's out-of-office or signature settings."],
  ["portal", "Portal", "Paste into your client portal's message or guidelines field (fits 300 characters)."],
  ["sms", "SMS", "Use as your text-message auto-reply (one SMS, 160 characters)."],
  ["voicemail", "Voicemail", "Read this aloud when you record your voicemail greeting."],
  ["sieve", "Sieve", "Upload as a Sieve filter on a mail host that supports it (Fastmail, Dovecot/Pigeonhole, many cPanel hosts). It answers only outside your windows, every week."],
  ["gmail", "Gmail", "Gmail holds one vacation period at a time: this is the next closed period, for the Gmail API's users.settings.updateVacation. Come back after it ends, or use Sieve where possible."],
  ["graph", "Outlook", "Outlook holds one scheduled period at a time: this is the next one, for Microsoft Graph's mailboxSettings automaticRepliesSetting."],
];

/** The text a person reads or pastes: the known text fields, else pretty JSON. */
export function displayText(output: AutoreplyOutput): string {
  const content = (output.content ?? output) as Record<string, unknown>;
  if (typeof output.download === "string" && ["sieve", "gmail", "graph"].includes(String(output.format))) {
    return output.download;
  }
  const parts: string[] = [];
  for (const key of ["subject", "text", "plain", "body", "script"]) {
    const value = content[key];
    if (typeof value === "string" && value) parts.push(key === "subject" ? `Subject: ${value}` : value);
  }
  if (parts.length) return parts.join("\n\n");
  if (typeof output.download === "string") return output.download;
  return JSON.stringify(content, null, 2);
}

export default function AutoReply() {
  const { toast } = useApp();
  const [format, setFormat] = useState<AutoreplyFormat>("email");
  const [at, setAt] = useState("");
  const [output, setOutput] = useState<AutoreplyOutput | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    api
      .autoreply(format, at ? new Date(at).toISOString() : undefined)
      .then(setOutput)
      .catch((e) => {
        setOutput(null);
        setError((e as Error).message);
      });
  }, [format, at]);

  const text = output ? displayText(output) : "";
  const info = FORMATS.find(([f]) => f === format);
  const warnings = (output?.warnings as string[] | undefined) ?? [];
  const content = (output?.content ?? {}) as Record<string, unknown>;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied.");
    } catch {
      toast("Copying is blocked here: select the text and copy it by hand.");
    }
  };
  const download = () => {
    const filename = String(output?.filename ?? `interlude-${format}.txt`);
    const blob = new Blob([text], { type: String(output?.media_type ?? "text/plain") });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <section aria-labelledby="ar-title">
      <header class="page-head">
        <h1 id="ar-title">Auto-reply</h1>
        <p class="muted">Replies built from your response windows, always with the crisis line.</p>
      </header>
      <div class="chips" role="group" aria-label="Channel">
        {FORMATS.map(([f, label]) => (
          <button type="button" class="chip" aria-pressed={format === f} onClick={() => setFormat(f)} key={f}>
            {label}
          </button>
        ))}
      </div>
      <div class="field">
        <label for="ar-at">Preview as read at (leave empty for now)</label>
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
            <button type="button" class="btn" onClick={download}>
              Download
            </button>
          </div>
        </div>
      )}
      {info && (
        <section class="card" aria-labelledby="ar-how">
          <h2 id="ar-how">How to use it</h2>
          <p>{info[2]}</p>
        </section>
      )}
    </section>
  );
}
