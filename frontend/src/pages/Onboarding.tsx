/** Onboarding: account, time zone, a calendar (or the sample), then notifications. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Calendar } from "../api/models";
import { ConnectCalendar } from "../components/ConnectCalendar";
import { EnablePush } from "../components/EnablePush";
import { Field, FormError } from "../components/Form";
import { useApp } from "../lib/context";
import { navigate } from "../lib/router";
import { ZonePicker } from "../components/ZonePicker";
import { deviceTimeZone } from "../lib/time";
import { friendlyZone, zoneCity } from "../lib/zones";

type Step = "account" | "timezone" | "calendar" | "notifications";
const STEPS: Step[] = ["account", "timezone", "calendar", "notifications"];

function Account({ onSignedIn }: { onSignedIn: (newAccount: boolean) => void }) {
  const { setUser } = useApp();
  const [mode, setMode] = useState<"signup" | "login">(
    new URLSearchParams(location.search).has("signin") ? "login" : "signup",
  );
  // Whether this server can email a reset link (null: not known yet).
  const [emailEnabled, setEmailEnabled] = useState<boolean | null>(null);
  useEffect(() => {
    api.features().then((features) => setEmailEnabled(features.email_enabled), () => setEmailEnabled(null));
  }, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setBusy(true);
    setError(null);
    try {
      if (mode === "signup") {
        await api.register({
          email,
          password,
          display_name: String(form.get("display_name") ?? "").trim(),
          timezone: deviceTimeZone(),
        });
      }
      await api.login({ email, password });
      setUser((await api.me()).data);
      onSignedIn(mode === "signup");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="segmented" role="group" aria-label="Account">
        <button type="button" aria-pressed={mode === "signup"} onClick={() => setMode("signup")}>
          Create account
        </button>
        <button type="button" aria-pressed={mode === "login"} onClick={() => setMode("login")}>
          Sign in
        </button>
      </div>
      <form class="stack" onSubmit={submit}>
        {mode === "signup" && (
          <Field label="Your name" name="display_name" autoComplete="name" required maxLength={120} />
        )}
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === "signup" ? "new-password" : "current-password"}
          required
          minLength={mode === "signup" ? 10 : undefined}
          hint={mode === "signup" ? "At least 10 characters." : undefined}
        />
        <FormError error={error} />
        <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
          {mode === "signup" ? "Create account" : "Sign in"}
        </button>
        {mode === "login" && emailEnabled === true && (
          <a class="btn btn-ghost btn-wide" href="/forgot-password">
            Forgot password?
          </a>
        )}
        {mode === "login" && emailEnabled === false && (
          <p class="muted" data-testid="no-reset">
            Forgot your password? This server does not send email: ask whoever runs your
            Interlude for a reset link.
          </p>
        )}
      </form>
    </>
  );
}

function TimeZoneStep({ onNext }: { onNext: () => void }) {
  const { user, setUser } = useApp();
  const device = deviceTimeZone();
  const [zone, setZone] = useState(user?.timezone ?? device);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    try {
      if (user && zone !== user.timezone) setUser(await api.updateMe({ timezone: zone }));
      onNext();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div class="stack">
      <p>
        Your phone says you are in <strong>{friendlyZone(device)}</strong>. Breaks are planned in
        this time zone.
      </p>
      <ZonePicker value={zone} onChange={setZone} />
      <FormError error={error} />
      <button type="button" class="btn btn-primary btn-wide" onClick={save}>
        Yes, use {zoneCity(zone)}
      </button>
    </div>
  );
}

const TITLES: Record<Step, string> = {
  account: "Welcome to Interlude",
  timezone: "Confirm your time zone",
  calendar: "Connect your calendar",
  notifications: "Turn on break reminders",
};

export default function Onboarding() {
  const { user, toast } = useApp();
  const params = new URLSearchParams(location.search);
  const requested = params.get("step") as Step | null;
  const [step, setStep] = useState<Step>(
    user ? (requested && STEPS.includes(requested) ? requested : "timezone") : "account",
  );
  const next = params.get("next");
  const finish = () => navigate(next && next.startsWith("/") ? next : "/", true);

  useEffect(() => {
    if (!user && step !== "account") setStep("account");
  }, [user]);

  // The step lives in the address, so a reload (or the phone dropping the app) resumes there.
  useEffect(() => {
    const query = new URLSearchParams(location.search);
    if (step === "account") query.delete("step");
    else query.set("step", step);
    const search = query.toString();
    const to = `/welcome${search ? `?${search}` : ""}`;
    if (to !== location.pathname + location.search) {
      history.replaceState(null, "", to);
      window.scrollTo(0, 0);
    }
  }, [step]);

  const connected = (calendar: Calendar) => {
    toast(`Connected “${calendar.name}”.`);
    setStep("notifications");
  };

  return (
    <section class="onboarding" aria-labelledby="onboarding-title">
      <header class="page-head">
        <p class="muted">
          Step {STEPS.indexOf(step) + 1} of {STEPS.length}
        </p>
        <h1 id="onboarding-title">{TITLES[step]}</h1>
        {step === "account" && (
          <p>A few quiet minutes between sessions, planned from your calendar.</p>
        )}
      </header>
      {step === "account" && (
        <Account onSignedIn={(isNew) => (isNew ? setStep("timezone") : finish())} />
      )}
      {step === "timezone" && <TimeZoneStep onNext={() => setStep("calendar")} />}
      {step === "calendar" && (
        <>
          <ConnectCalendar onConnected={connected} />
          <button type="button" class="btn btn-ghost btn-wide" onClick={() => setStep("notifications")}>
            Skip for now
          </button>
        </>
      )}
      {step === "notifications" && (
        <div class="stack">
          <EnablePush onDone={finish} />
          <button type="button" class="btn btn-ghost btn-wide" onClick={finish}>
            {`Continue to Today`}
          </button>
        </div>
      )}
    </section>
  );
}
