/**
 * A session tapped on Today: its gap before and after, and two marks on this one occurrence
 * ("intense", "telehealth"): flags only, never a note or a client's name. Marking re-plans the
 * reminders on the server, so the rituals that follow such sessions appear on the timeline.
 * Loaded on first tap (not part of the first load).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Appointment, AppointmentMarks } from "../api/models";
import { formatTime } from "../lib/time";
import { gapsAround } from "../lib/timeline";

export interface SessionSheetProps {
  appointment: Appointment;
  /** The day's appointments, for the gaps. */
  day: Appointment[];
  zone: string;
  onClose: () => void;
  /** The server's answer after a mark; the page re-reads its reminders. */
  onMarked: (appointment: Appointment) => void;
}

function gapText(minutes: number | null, none: string, other: string | null, zone: string, word: string): string {
  if (minutes === null || other === null) return none;
  const at = formatTime(other, zone);
  if (minutes === 0) return `None: back to back (${word} ${at})`;
  return `${minutes} min (${word} ${at})`;
}

const MARKS: { name: "intense" | "telehealth"; label: string; hint: string }[] = [
  { name: "intense", label: "Intense session", hint: "Your rituals for intense sessions follow it." },
  { name: "telehealth", label: "Telehealth", hint: "Your rituals after telehealth follow it." },
];

export default function SessionSheet({ appointment, day, zone, onClose, onMarked }: SessionSheetProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Shown at once; put back if the server refuses.
  const [shown, setShown] = useState({ intense: appointment.intense, telehealth: appointment.telehealth });
  const gaps = gapsAround(day, appointment.id);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal?.();
  }, []);

  const mark = async (name: keyof AppointmentMarks, value: boolean) => {
    setBusy(true);
    setError(null);
    setShown((old) => ({ ...old, [name]: value }));
    try {
      onMarked(await api.markAppointment(appointment.id, { [name]: value }));
    } catch (e) {
      setShown((old) => ({ ...old, [name]: !value }));
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const kind = appointment.kind === "session" ? "Session" : "Busy";
  return (
    <dialog
      ref={dialog}
      class="sheet"
      aria-labelledby="sheet-title"
      data-testid="session-sheet"
      onClose={onClose}
      onClick={(e) => {
        if (e.target === dialog.current) dialog.current?.close(); // a tap outside the sheet
      }}
    >
      <h2 id="sheet-title">
        {kind} {formatTime(appointment.start, zone)}–{formatTime(appointment.end, zone)}
      </h2>
      <dl class="gaps">
        <dt>Before</dt>
        <dd data-testid="gap-before">
          {gapText(gaps.before, "First of the day", gaps.previousEnd, zone, "after")}
        </dd>
        <dt>After</dt>
        <dd data-testid="gap-after">
          {gapText(gaps.after, "Last of the day", gaps.nextStart, zone, "next at")}
        </dd>
      </dl>
      {appointment.kind === "session" && (
        <fieldset disabled={busy}>
          <legend>This session only</legend>
          {MARKS.map((m) => (
            <label class="switch mark" key={m.name}>
              <input
                type="checkbox"
                checked={shown[m.name]}
                onChange={(e) => mark(m.name, (e.currentTarget as HTMLInputElement).checked)}
              />
              <span>
                <strong>{m.label}</strong>
                <span class="muted"> · {m.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="btn" onClick={() => dialog.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
