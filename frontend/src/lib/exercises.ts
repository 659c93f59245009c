/** Guided exercises for the Break screen: breathing patterns and simple activity cards. */
import type { Activity } from "../api/models";

export interface Phase {
  label: string; // spoken instruction, e.g. "Breathe in"
  seconds: number;
  scale: number; // target size of the animated shape (1 = small, 1.8 = full)
}

export interface Breathing {
  kind: "breathing";
  name: string;
  phases: Phase[];
}

export interface Card {
  kind: "card";
  name: string;
  steps: string[];
}

export type Exercise = Breathing | Card;

export const EXERCISES: Record<Exclude<Activity, "custom">, Exercise> = {
  box_breathing: {
    kind: "breathing",
    name: "Box breathing",
    phases: [
      { label: "Breathe in", seconds: 4, scale: 1.8 },
      { label: "Hold", seconds: 4, scale: 1.8 },
      { label: "Breathe out", seconds: 4, scale: 1 },
      { label: "Hold", seconds: 4, scale: 1 },
    ],
  },
  breathing_478: {
    kind: "breathing",
    name: "4-7-8 breathing",
    phases: [
      { label: "Breathe in through your nose", seconds: 4, scale: 1.8 },
      { label: "Hold", seconds: 7, scale: 1.8 },
      { label: "Breathe out through your mouth", seconds: 8, scale: 1 },
    ],
  },
  stretch: {
    kind: "card",
    name: "Stretch",
    steps: [
      "Stand up and roll your shoulders back five times.",
      "Reach both arms overhead and lean gently to each side.",
      "Drop your chin to your chest; let your neck lengthen.",
      "Shake out your hands and arms.",
    ],
  },
  water: {
    kind: "card",
    name: "Water",
    steps: [
      "Fill a glass of water.",
      "Drink it slowly, noticing the temperature.",
      "Take three slow breaths before the next session.",
    ],
  },
  step_outside: {
    kind: "card",
    name: "Step outside",
    steps: [
      "Step outside or open a window.",
      "Look at something far away for twenty seconds.",
      "Notice five things you can hear.",
      "Feel your feet on the ground, then come back in.",
    ],
  },
};

export const BREAK_SECONDS = 120;

/** Where in a breathing cycle we are after `elapsed` seconds. */
export function phaseAt(exercise: Breathing, elapsed: number): { index: number; remaining: number } {
  const cycle = exercise.phases.reduce((sum, p) => sum + p.seconds, 0);
  let t = ((elapsed % cycle) + cycle) % cycle;
  for (const [index, phase] of exercise.phases.entries()) {
    if (t < phase.seconds) return { index, remaining: Math.ceil(phase.seconds - t) };
    t -= phase.seconds;
  }
  return { index: 0, remaining: exercise.phases[0].seconds };
}

/** The exercise for a reminder's activity (a plain string in the API's reminder). */
export function exerciseFor(activity: string | null | undefined): keyof typeof EXERCISES {
  return activity && Object.prototype.hasOwnProperty.call(EXERCISES, activity) ? (activity as keyof typeof EXERCISES) : "box_breathing";
}
