/** A forgotten password: ask for a link by email (/forgot-password), then choose a new
 * password from that link (/reset-password#token=…). Public screens. */
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { Field, FormError, formValues } from "../components/Form";
import { useApp } from "../lib/context";
import { forgetUser, mayBeSignedIn } from "../lib/forget";
import { navigate } from "../lib/router";

function RequestLink() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    const { email } = formValues(event);
    setBusy(true);
    setError(null);
    try {
      await api.requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (sentTo) {
    return (
      <div class="stack" data-testid="reset-sent">
        <h1>Check your email</h1>
        <p>
          If an account uses <strong>{sentTo}</strong>, a link to choose a new password is on its
          way. It works for 30 minutes, once.
        </p>
        <p class="muted">Nothing after a few minutes? Look in the spam folder, or ask again.</p>
        <a class="btn btn-ghost btn-wide" href="/welcome?signin=1">
          Back to sign in
        </a>
      </div>
    );
  }
  return (
    <form class="stack" onSubmit={submit}>
      <h1>Forgot your password?</h1>
      <p>Enter the email you sign in with. We send you a link to choose a new password.</p>
      <Field label="Email" name="email" type="email" autoComplete="email" required />
      <FormError error={error} />
      <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
        Send the link
      </button>
      <a class="btn btn-ghost btn-wide" href="/welcome?signin=1">
        Back to sign in
      </a>
    </form>
  );
}

function ChooseNew() {
  const { setUser } = useApp();
  // The token travels in the fragment: the browser never sends it to the server with the page.
  // Read once: it is taken out of the address bar after use.
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get("token") ?? "");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    const { password, again } = formValues(event);
    if (password !== again) {
      setError("The two passwords differ. Type the same new password twice.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.confirmPasswordReset(token, password);
      // Every session of the account has ended, this browser's too.
      history.replaceState(null, "", location.pathname);
      if (mayBeSignedIn()) await forgetUser().catch(() => undefined);
      setUser(null);
      setDone(true);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (!token) {
    return (
      <div class="stack">
        <h1>Choose a new password</h1>
        <p class="notice" role="alert">
          This link is incomplete. Open the link from the email again, or ask for a new one.
        </p>
        <a class="btn btn-primary btn-wide" href="/forgot-password">
          Ask for a new link
        </a>
      </div>
    );
  }
  if (done) {
    return (
      <div class="stack" data-testid="reset-done">
        <h1>Your password is changed</h1>
        <p>You are signed out on every device. Sign in with your new password.</p>
        <button type="button" class="btn btn-primary btn-wide" onClick={() => navigate("/welcome?signin=1", true)}>
          Sign in
        </button>
      </div>
    );
  }
  return (
    <form class="stack" onSubmit={submit}>
      <h1>Choose a new password</h1>
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint="At least 10 characters."
      />
      <Field label="New password again" name="again" type="password" autoComplete="new-password" required />
      <FormError error={error} />
      <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
        Set the new password
      </button>
      {error && (
        <a class="btn btn-ghost btn-wide" href="/forgot-password">
          Ask for a new link
        </a>
      )}
    </form>
  );
}

export default function PasswordReset({ step }: { step: "request" | "choose" }) {
  return <section class="onboarding">{step === "request" ? <RequestLink /> : <ChooseNew />}</section>;
}
