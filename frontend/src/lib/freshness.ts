/**
 * "Updated 2 min ago": keeping the visible day at most a minute old while the app is open.
 *
 * The app asks the server to freshen the user's calendars when it opens, when it comes back to
 * the foreground and once a minute while it stays visible. The server checks a calendar only
 * if its last check is older than a minute (an unchanged feed answers 304: no parse, no
 * re-plan), so asking often costs little; asking is still skipped here within the minute, and
 * never done twice at once (two screens, a quick switch back and forth).
 */
import { api } from "../api/client";
import type { Freshness } from "../api/models";

export const FRESH_MS = 60_000;

let lastAsked = -Infinity;
let lastAnswer: Freshness | null = null;
let askedFor: string | null = null;
let inFlight: Promise<Freshness | null> | null = null;

/** Forget the last ask and answer (another user signs in; tests). */
export function resetFreshness(): void {
  lastAsked = -Infinity;
  lastAnswer = null;
  askedFor = null;
  inFlight = null;
}

/** Whether it is time to ask again: never within a minute of the last ask. */
export function shouldAsk(now: number, asked: number = lastAsked): boolean {
  return now - asked >= FRESH_MS;
}

/**
 * Ask the server to bring `user`'s calendars up to the minute, unless asked within the
 * minute, offline or hidden. Resolves to the server's answer; without asking, to the last
 * answer for this user marked unchanged (or null: none yet, or the request failed — the day
 * on screen stays as it is, and the offline banner says so when offline).
 */
export function askFreshness(user: string, now: number = Date.now()): Promise<Freshness | null> {
  if (askedFor !== user) resetFreshness();
  if (inFlight) return inFlight;
  if (!shouldAsk(now) || !navigator.onLine || document.visibilityState === "hidden") {
    return Promise.resolve(lastAnswer && { ...lastAnswer, checked: 0, changed: false });
  }
  askedFor = user;
  lastAsked = now;
  const asking = api
    .freshen()
    .then((answer) => {
      if (askedFor === user) lastAnswer = answer;
      return answer;
    })
    .catch(() => null)
    .finally(() => {
      if (inFlight === asking) inFlight = null;
    });
  inFlight = asking;
  return asking;
}

/** "updated just now" · "updated 1 min ago" · "updated 3 h ago" · "updated 2 days ago". */
export function updatedLabel(checkedAt: string | null, now: number): string | null {
  if (!checkedAt) return null;
  const at = Date.parse(checkedAt);
  if (Number.isNaN(at)) return null;
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return "updated just now";
  if (minutes < 60) return `updated ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `updated ${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `updated ${days} day${days === 1 ? "" : "s"} ago`;
}
