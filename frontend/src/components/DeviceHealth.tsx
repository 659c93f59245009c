/** One device's delivery health and last delivery, for the Settings device list. */
import type { PushSubscription } from "../api/models";
import { formatTime } from "../lib/time";

function when(iso: string, zone: string): string {
  const d = new Date(iso);
  const day = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: "short", day: "numeric", month: "short" }).format(d);
  return `${day}, ${formatTime(d, zone)}`;
}

const WORDS: Record<PushSubscription["health"], string> = {
  ok: "Reminders reach it",
  pending: "Waiting for its first reminder to be shown",
  silent: "Reminders are accepted but not shown",
  gone: "No longer subscribed: open Interlude on it and repair",
};

export function DeviceHealth({ device, zone }: { device: PushSubscription; zone: string }) {
  const since = device.health_since ? ` since ${when(device.health_since, zone)}` : "";
  return (
    <span class="muted" data-testid="device-health" data-health={device.health}>
      {WORDS[device.health]}
      {since}
      {device.last_receipt_at ? ` · last shown ${when(device.last_receipt_at, zone)}` : ""}
      {device.last_accepted_at && !device.last_receipt_at ? ` · last sent ${when(device.last_accepted_at, zone)}` : ""}
      {device.last_error ? ` · ${device.last_error}` : ""}
    </span>
  );
}
