/** Settings: devices, calendars, account export and deletion, sign out. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Calendar, PushSubscription } from "../api/models";
import { ConnectCalendar } from "../components/ConnectCalendar";
import { DeviceHealth } from "../components/DeviceHealth";
import { EnablePush } from "../components/EnablePush";
import { FormError } from "../components/Form";
import { useApp } from "../lib/context";
import { forgetUser, signOut } from "../lib/forget";
import { navigate } from "../lib/router";
import { ZonePicker } from "../components/ZonePicker";
import {
  deviceTimeZone,
  formatDateTime,
  formatTime,
  HOUR_CYCLE_KEY,
  hourChoice,
  type HourChoice,
} from "../lib/time";
import { friendlyZone } from "../lib/zones";

function when(iso: string | null | undefined, zone: string): string {
  return iso ? formatDateTime(iso, zone) : "never";
}

/** The account's zone (planning) and this phone's 12/24-hour choice (display only). */
function TimeSettings() {
  const { user, setUser, toast } = useApp();
  const [zone, setZone] = useState(user?.timezone ?? deviceTimeZone());
  const [cycle, setCycle] = useState<HourChoice>(hourChoice());
  const [error, setError] = useState<string | null>(null);
  const saveZone = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      setUser(await api.updateMe({ timezone: zone }));
      toast(`Breaks now follow ${friendlyZone(zone)}.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const chooseCycle = (value: HourChoice) => {
    try {
      if (value === "auto") localStorage.removeItem(HOUR_CYCLE_KEY);
      else localStorage.setItem(HOUR_CYCLE_KEY, value);
    } catch {
      /* storage disabled: the choice lasts this visit */
    }
    setCycle(value);
  };
  const sample = Date.UTC(2026, 0, 1, 14, 0);
  return (
    <section class="card" aria-labelledby="time-title">
      <h2 id="time-title">Time</h2>
      <form class="stack" onSubmit={saveZone}>
        <p class="muted">Breaks are planned in {friendlyZone(user?.timezone ?? zone)}.</p>
        <ZonePicker id="settings-tz" value={zone} onChange={setZone} />
        <button type="submit" class="btn" disabled={zone === user?.timezone}>
          Save time zone
        </button>
      </form>
      <fieldset class="stack">
        <legend>Clock on this phone</legend>
        <div class="segmented" role="group" aria-label="Clock on this phone">
          {(
            [
              ["auto", `Automatic (${formatTime(sample, "UTC", undefined)})`],
              ["12", "12-hour"],
              ["24", "24-hour"],
            ] as [HourChoice, string][]
          ).map(([value, label]) => (
            <button type="button" aria-pressed={cycle === value} onClick={() => chooseCycle(value)} key={value}>
              {label}
            </button>
          ))}
        </div>
      </fieldset>
      <FormError error={error} />
    </section>
  );
}

function Devices() {
  const { user, toast } = useApp();
  const zone = user?.timezone ?? "UTC";
  const [devices, setDevices] = useState<PushSubscription[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [emailEnabled, setEmailEnabled] = useState<boolean | null>(null);
  const load = useCallback(() => {
    api.subscriptions().then(setDevices).catch((e) => setError((e as Error).message));
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    api.features().then((features) => setEmailEnabled(features.email_enabled), () => undefined);
  }, []);
  const act = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await action();
      toast(done);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <EnablePush onDone={load} />
      <ul class="list" data-testid="devices">
        {devices?.map((d) => (
          <li key={d.id} class="list-col">
            <strong>{d.label}</strong>
            <span class="muted">Added {when(d.created_at, zone)}</span>
            <DeviceHealth device={d} zone={zone} />
            <div class="row">
              <button type="button" class="btn btn-small" onClick={() => act(() => api.testPush(), "Test sent to your devices.")}>
                Send test
              </button>
              <button
                type="button"
                class="btn btn-small btn-ghost"
                onClick={() => {
                  const name = window.prompt("Name this device", d.label);
                  if (name?.trim()) act(() => api.renameSubscription(d.id, name.trim()), "Renamed.");
                }}
              >
                Rename
              </button>
              <button
                type="button"
                class="btn btn-small btn-ghost"
                onClick={() => act(() => api.deleteSubscription(d.id), "Device removed.")}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      {devices?.length === 0 && <p class="muted">No device receives reminders yet.</p>}
      {emailEnabled !== null && (
        <p class="muted" data-testid="email-alerts">
          {emailEnabled
            ? "If reminders stop reaching all your devices, Interlude emails you (at most once a day)."
            : "This server sends no email: if reminders stop reaching your devices, only this app shows it."}
        </p>
      )}
      <FormError error={error} />
    </section>
  );
}

function Calendars() {
  const { user, toast } = useApp();
  const zone = user?.timezone ?? "UTC";
  const [calendars, setCalendars] = useState<Calendar[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const connectTitle = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (adding) connectTitle.current?.focus();
  }, [adding]);
  const load = useCallback(() => {
    api.calendars().then((r) => setCalendars(r.data)).catch((e) => setError((e as Error).message));
  }, []);
  useEffect(load, [load]);
  const sync = async (c: Calendar) => {
    setBusy(c.id);
    setError(null);
    try {
      await api.syncCalendar(c.id);
      toast(`“${c.name}” is up to date.`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
      load();
    }
  };
  return (
    <section class="card" aria-labelledby="calendars-title">
      <h2 id="calendars-title">Calendars</h2>
      <ul class="list" data-testid="calendars">
        {calendars?.map((c) => (
          <li key={c.id} class="list-col">
            <strong>{c.name}</strong>
            <span class="muted">
              Last sync {when(c.last_synced_at, zone)}
              {c.status ? ` · ${c.status}` : ""}
            </span>
            {c.last_error && (
              <span class="notice-inline" role="note">
                {c.last_error}
              </span>
            )}
            <div class="row">
              <button type="button" class="btn btn-small" disabled={busy === c.id} onClick={() => sync(c)}>
                {busy === c.id ? "Syncing…" : "Sync now"}
              </button>
              <button
                type="button"
                class="btn btn-small btn-ghost"
                onClick={async () => {
                  if (!window.confirm(`Disconnect “${c.name}”? Its appointments are removed.`)) return;
                  try {
                    await api.deleteCalendar(c.id);
                    load();
                  } catch (e) {
                    setError((e as Error).message);
                  }
                }}
              >
                Disconnect
              </button>
            </div>
          </li>
        ))}
      </ul>
      {calendars?.length === 0 && <p class="muted">No calendar connected yet.</p>}
      <FormError error={error} />
      {adding ? (
        <section class="stack" aria-labelledby="connect-title" data-testid="connect-calendar">
          <h3 id="connect-title" tabIndex={-1} ref={connectTitle}>
            Connect a calendar
          </h3>
          <ConnectCalendar
            headingLevel={4}
            onConnected={(c) => {
              toast(`Connected “${c.name}”.`);
              setAdding(false);
              load();
            }}
          />
          <button type="button" class="btn btn-ghost btn-wide" onClick={() => setAdding(false)}>
            Cancel
          </button>
        </section>
      ) : (
        <button type="button" class="btn" onClick={() => setAdding(true)}>
          Connect a calendar
        </button>
      )}
    </section>
  );
}

function Account() {
  const { user, setUser, toast } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const exportData = async () => {
    try {
      const data = await api.exportMe();
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "interlude-export.json";
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const leave = async () => {
    await signOut();
    setUser(null);
    navigate("/welcome", true);
  };
  const remove = async (event: Event) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget as HTMLFormElement).get("password"));
    try {
      await api.deleteMe(password);
      await forgetUser();
      toast("Your account and all its data were deleted.");
      setUser(null);
      navigate("/welcome", true);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <p>
        {user?.display_name} · {user?.email}
        <br />
        <span class="muted">Time zone: {friendlyZone(user?.timezone ?? "UTC")}</span>
      </p>
      <div class="stack">
        <button type="button" class="btn" onClick={exportData}>
          Export my data
        </button>
        <button type="button" class="btn" onClick={leave}>
          Sign out
        </button>
        {confirming ? (
          <form class="stack" onSubmit={remove}>
            <p>This deletes your account, calendars, plan and history for good.</p>
            <div class="field">
              <label for="del-pw">Your password</label>
              <input id="del-pw" name="password" type="password" autoComplete="current-password" required />
            </div>
            <button type="submit" class="btn btn-danger">
              Delete everything
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setConfirming(false)}>
              Keep my account
            </button>
          </form>
        ) : (
          <button type="button" class="btn btn-ghost btn-danger-text" onClick={() => setConfirming(true)}>
            Delete account…
          </button>
        )}
      </div>
      <FormError error={error} />
    </section>
  );
}

export default function SettingsScreen() {
  return (
    <section aria-labelledby="settings-title">
      <header class="page-head">
        <h1 id="settings-title">Settings</h1>
      </header>
      <Devices />
      <Calendars />
      <TimeSettings />
      <Account />
    </section>
  );
}
