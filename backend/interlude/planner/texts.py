"""Notification titles and bodies: short, friendly, and built only from care-plan settings.

No calendar text ever reaches the planner, so none can leak into a push. The only free text
used is what the therapist wrote into their own care plan (a custom activity, ritual names).
"""

from __future__ import annotations

from datetime import time

from interlude.planner.types import Activity, MicroBreakRuleIn, RitualIn

_ACTIVITY_TEXT: dict[str, str] = {
    "box_breathing": "Box breathing: in 4, hold 4, out 4, hold 4.",
    "breathing_478": "Breathe in for 4, hold for 7, out for 8.",
    "stretch": "Stand up and stretch your neck and shoulders.",
    "water": "Have a glass of water.",
    "step_outside": "Step outside for a little fresh air.",
}
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_MAX_FREE_TEXT = 120


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_FREE_TEXT else text[: _MAX_FREE_TEXT - 1].rstrip() + "…"


def hhmm(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def minutes_phrase(minutes: int) -> str:
    """30 -> '30 minutes', 60 -> '1 hour', 90 -> '1 hour 30 minutes'."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def count_word(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def activity_text(activity: Activity, custom_text: str | None) -> str:
    if activity == "custom":
        return _clip(custom_text) if custom_text and custom_text.strip() else "Take a short pause."
    return _ACTIVITY_TEXT[activity]


def break_title(rule: MicroBreakRuleIn) -> str:
    return f"Time for a {rule.duration_minutes}-minute break"


def micro_break_body(rule: MicroBreakRuleIn, ritual: RitualIn | None) -> str:
    text = activity_text(rule.activity, rule.custom_text)
    if ritual is not None:
        text += then_ritual(ritual)
    return text


def ritual_name(ritual: RitualIn) -> str:
    return _clip(ritual.name)


def ritual_title(ritual: RitualIn) -> str:
    return f"Transition: {_clip(ritual.name)}"


def ritual_body(ritual: RitualIn) -> str:
    if ritual.steps:
        return _clip(" · ".join(step.strip() for step in ritual.steps if step.strip()))
    return f"A {ritual.duration_minutes}-minute pause before you move on."


def end_of_day_title() -> str:
    return "Last session done for today"


def end_of_day_body(ritual: RitualIn) -> str:
    return f"Time for your shutdown ritual: {_clip(ritual.name)}."


def break_then_notes(break_minutes: int, session_at: str) -> str:
    """``session_at`` is the local start of the session the notes are for, e.g. "13:00"."""
    return f"{break_minutes}-minute break, then notes for your {session_at} session."


def notes_then_break(notes_minutes: int, break_minutes: int, session_at: str) -> str:
    return (
        f"{minutes_phrase(notes_minutes)} of notes for your {session_at} session, "
        f"then a {break_minutes}-minute break."
    )


def notes_title(notes_minutes: int) -> str:
    return f"Time for {minutes_phrase(notes_minutes)} of notes"


def notes_body(notes_minutes: int, session_at: str) -> str:
    return f"{minutes_phrase(notes_minutes)} of notes for your {session_at} session."


def split_break_body(sentence: str, rule: MicroBreakRuleIn, ritual: RitualIn | None) -> str:
    """A micro-break carrying notes time: what the gap is for first, then the break itself."""
    return f"{sentence} {micro_break_body(rule, ritual)}"


def end_of_day_notes_body(ritual: RitualIn, notes_minutes: int, session_at: str) -> str:
    return (
        f"{minutes_phrase(notes_minutes)} of notes for your {session_at} session, "
        f"then your shutdown ritual: {_clip(ritual.name)}."
    )


def then_ritual(ritual: RitualIn) -> str:
    return f" Then your ritual: {_clip(ritual.name)}."


def wrap_up_title(minutes: int) -> str:
    return f"{minutes_phrase(minutes)} left in this session"


def wrap_up_body(ends_at: str) -> str:
    return f"Time to begin wrapping up: it ends at {ends_at}."


def notes_backlog_title() -> str:
    return "Before you finish today"


def notes_backlog_body(count: int) -> str:
    return f"Notes still open for {count} session{'' if count == 1 else 's'}."


def back_to_back_title(tomorrow: bool) -> str:
    return "Busy day tomorrow" if tomorrow else "Busy day today"


def back_to_back_body(tomorrow: bool, start: time, end: time, count: int) -> str:
    day = "Tomorrow" if tomorrow else "Today"
    return (
        f"{day} {hhmm(start)}\u2013{hhmm(end)} has {count_word(count)} sessions back to back"
        " — add a buffer?"
    )


def window_open_title() -> str:
    return "Response window open"


def window_open_body_template(room: str) -> str:
    """``room`` is the time left in the window, e.g. "30 minutes" (or a placeholder)."""
    return f"Messages: {room}, then you're off"


def window_close_title() -> str:
    return "Response window closed"


def window_close_body() -> str:
    return "That's it for messages — you're off."


_COMMITMENT_NAMES: dict[str, str] = {
    "supervision": "Supervision",
    "peer": "Peer check-in",
    "personal_therapy": "Your own therapy session",
}


def commitment_name(kind: str) -> str:
    """Only the kind is used: a commitment's label may name a person, so it stays out."""
    return _COMMITMENT_NAMES.get(kind, "Your commitment")


def commitment_title_template(name: str, room: str) -> str:
    """``room`` is the time until it starts, e.g. "10 minutes" (or a placeholder)."""
    return f"{name} in {room}"


def commitment_body(name: str, starts_at: str) -> str:
    return f"{name} at {starts_at}. Time to wrap up and get ready."


def commitment_later_title(name: str, starts_at: str) -> str:
    return f"{name} at {starts_at}"


def commitment_later_body() -> str:
    return "It starts right after this stretch of sessions."
