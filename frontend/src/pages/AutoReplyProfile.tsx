/** The auto-reply profile: tone, who you are, crisis line, covering clinician, secure channel. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { AutoreplyProfile, AutoreplyProfileUpdate, AutoreplyTone, CrisisLines } from "../api/models";
import { Field, FormError } from "../components/Form";
import { useApp } from "../lib/context";

const TONES: [AutoreplyTone, string][] = [
  ["warm", "Warm"],
  ["professional", "Professional"],
  ["brief", "Brief"],
];

/** Tone chips: one tap saves the tone and refreshes the preview. */
export function ToneChips({ profile, onSaved }: { profile: AutoreplyProfile | null; onSaved: (p: AutoreplyProfile) => void }) {
  const [error, setError] = useState<string | null>(null);
  const pick = async (tone: AutoreplyTone) => {
    try {
      onSaved(await api.updateAutoreplyProfile({ tone }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <div class="segmented" role="group" aria-label="Tone">
        {TONES.map(([tone, label]) => (
          <button type="button" aria-pressed={profile?.tone === tone} onClick={() => pick(tone)} key={tone}>
            {label}
          </button>
        ))}
      </div>
      <FormError error={error} />
    </>
  );
}

const text = (form: FormData, key: string) => String(form.get(key) ?? "").trim();

export function ProfileEditor({ profile, onSaved }: { profile: AutoreplyProfile; onSaved: (p: AutoreplyProfile) => void }) {
  const { toast } = useApp();
  const [lines, setLines] = useState<CrisisLines | null>(null);
  const [country, setCountry] = useState(profile.country);
  const [emergencyOn, setEmergencyOn] = useState(profile.emergency_enabled);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.crisisLines().then(setLines).catch(() => undefined);
  }, []);
  useEffect(() => {
    setCountry(profile.country);
    setEmergencyOn(profile.emergency_enabled);
  }, [profile]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const data: AutoreplyProfileUpdate = {
      credentials: text(form, "credentials"),
      practice_name: text(form, "practice_name"),
      country,
      covering_name: text(form, "covering_name"),
      covering_contact: text(form, "covering_contact"),
      secure_channel_name: text(form, "secure_channel_name"),
      secure_channel_url: text(form, "secure_channel_url"),
      email_not_secure_note: form.get("email_not_secure_note") === "on",
      reader_timezone: text(form, "reader_timezone") || null,
      emergency_text: text(form, "emergency_text") || null,
      emergency_text_short: text(form, "emergency_text_short") || null,
      emergency_enabled: emergencyOn,
    };
    if (!emergencyOn && profile.emergency_enabled) {
      data.acknowledge_no_emergency_line = form.get("acknowledge") === "on";
    }
    try {
      onSaved(await api.updateAutoreplyProfile(data));
      setError(null);
      toast("Reply details saved.");
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const countryLines = (lines?.lines ?? []).filter((l) => l.country === country);
  return (
    <details class="card details">
      <summary>Your reply details</summary>
      <form class="stack" onSubmit={submit}>
        <p class="muted">
          Clients read these replies: write only your own practice details here, never a client's name or story.
        </p>
        <Field label="Credentials (e.g. LCSW)" name="credentials" value={profile.credentials} maxLength={120} />
        <Field label="Practice name" name="practice_name" value={profile.practice_name} maxLength={160} />

        <h2 class="subhead">Crisis line</h2>
        <div class="field">
          <label for="ar-country">Country of your clients</label>
          <select id="ar-country" value={country} onChange={(e) => setCountry((e.target as HTMLSelectElement).value)}>
            {(lines?.countries ?? [profile.country]).map((c) => (
              <option value={c} key={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        {countryLines.length > 0 && (
          <ul class="compact" aria-label="Built-in lines for this country">
            {countryLines.map((l) => (
              <li key={l.name}>
                {l.name}: {l.number} ({[l.call && "call", l.text && "text"].filter(Boolean).join(" or ")})
              </li>
            ))}
          </ul>
        )}
        <p class="muted">In every reply now: “{profile.emergency.text}”</p>
        <Field
          label="Your own emergency wording (optional)"
          name="emergency_text"
          value={profile.emergency_text ?? ""}
          maxLength={500}
          hint="Must include a number to call or text. Empty: the built-in wording above."
        />
        <Field label="Short wording for SMS and portal (optional)" name="emergency_text_short" value={profile.emergency_text_short ?? ""} maxLength={160} />
        <label class="switch">
          <input type="checkbox" checked={emergencyOn} onChange={(e) => setEmergencyOn((e.target as HTMLInputElement).checked)} /> Include the
          crisis line in every reply
        </label>
        {!emergencyOn && (
          <div class="notice" role="alert">
            <p>
              Without it, a client who writes in a crisis gets no next step from your reply. Every reply will carry a warning while it is
              off.
            </p>
            {profile.emergency_enabled && (
              <label class="switch">
                <input type="checkbox" name="acknowledge" /> I understand and still want replies without a crisis line
              </label>
            )}
          </div>
        )}

        <h2 class="subhead">While you are away</h2>
        <Field label="Covering clinician" name="covering_name" value={profile.covering_name} maxLength={120} hint="Mentioned only during time off." />
        <Field label="Covering clinician's contact" name="covering_contact" value={profile.covering_contact} maxLength={200} />

        <h2 class="subhead">Secure channel</h2>
        <Field label="Secure channel name (e.g. the client portal)" name="secure_channel_name" value={profile.secure_channel_name} maxLength={120} />
        <Field label="Secure channel address" name="secure_channel_url" type="url" value={profile.secure_channel_url} placeholder="https://" maxLength={500} />
        <label class="switch">
          <input type="checkbox" name="email_not_secure_note" checked={profile.email_not_secure_note} /> Say that email is not a secure channel
        </label>

        <Field
          label="Reader's time zone"
          name="reader_timezone"
          value={profile.reader_timezone_is_default ? "" : profile.reader_timezone}
          placeholder={profile.reader_timezone}
          maxLength={64}
          hint="The zone your next reply time is written in. Empty: your own zone."
        />
        <FormError error={error} />
        <button type="submit" class="btn btn-primary btn-wide">
          Save reply details
        </button>
      </form>
    </details>
  );
}
