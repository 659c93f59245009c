"""Jinja2 in a locked-down sandbox: built-in templates per language and tone, custom ones.

Defence in depth for templates the user writes:
1. a static check of the parsed template: only the documented variables, no attribute or key
   starting with ``_``, no ``attr`` filter, no include/import/extends/macro, loops nested at most
   twice (a template cannot run for minutes);
2. an ``ImmutableSandboxedEnvironment`` with no globals (no ``range``, ``cycler``, ``lipsum``...),
   no calls at all, ``StrictUndefined`` and attribute access limited to dictionary keys;
3. bounded work (template_limits.py): every filter and operator that can grow a value is
   bounded before it runs, loops are counted, output is counted as it streams and a render
   stops at its time limit, so a template cannot take minutes or gigabytes;
4. a trial render against sample contexts on save, with the same limits: whatever fails
   becomes a line-numbered 422 that names the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    nodes,
)
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from interlude.autoresponder import template_limits as limits
from interlude.autoresponder.context import CONTEXT_VARIABLES, Context

TEMPLATES_DIR = Path(__file__).parent / "templates"
SLOTS: tuple[str, ...] = ("email_subject", "email", "portal", "sms", "voicemail", "sieve")
ONE_LINE_SLOTS = frozenset({"email_subject", "portal", "sms", "voicemail"})
TONES: tuple[str, ...] = ("warm", "professional", "brief")
MAX_TEMPLATE_CHARS = 4000
MAX_LOOP_NESTING = 2


class TemplateProblem(Exception):
    """A custom template that cannot be saved; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def describe(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class ReplySandbox(ImmutableSandboxedEnvironment):
    """Templates may read dictionary keys and loop state, and nothing else."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, LoopContext) and not attr.startswith("_")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        return limits.binop(operator_, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Refused statically too (_static_check); no template has anything to call.
        raise SecurityError("templates cannot call functions or methods")


def _environment(*, autoescape: bool, trim: bool = True) -> ReplySandbox:
    env = ReplySandbox(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=trim,
        lstrip_blocks=trim,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters = {**limits.bounded_filters(), **limits.GUARD_FILTERS}
    return env


_TEXT_ENV = _environment(autoescape=False)
# One-line formats keep every newline as a space, so block tags never glue words together.
_LINE_ENV = _environment(autoescape=False, trim=False)
_HTML_ENV = _environment(autoescape=True)


def builtin_source(language: str, tone: str, slot: str) -> str:
    return (TEMPLATES_DIR / language / tone / f"{slot}.j2").read_text(encoding="utf-8")


def _tidy(slot: str, text: str) -> str:
    if slot in ONE_LINE_SLOTS:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def render_slot(
    slot: str, context: Context, *, language: str, tone: str, custom: str | None = None
) -> str:
    """Render one slot; the emergency line is appended if a template left it out. A custom
    template over a limit raises ``template_limits.TemplateLimit``."""
    env = _LINE_ENV if slot in ONE_LINE_SLOTS else _TEXT_ENV
    if custom is not None:
        template = _custom_template(slot in ONE_LINE_SLOTS, custom)
    else:
        template = env.get_template(f"{language}/{tone}/{slot}.j2")
    text = _tidy(slot, _bounded_render(template, context))
    return ensure_emergency(slot, text, context)


@lru_cache(maxsize=64)
def _custom_template(one_line: bool, source: str) -> Template:
    """Compiled once per source: checked, then bounded (template_limits.bound_tree)."""
    env = _LINE_ENV if one_line else _TEXT_ENV
    tree = env.parse(source)
    _static_check(tree)
    return env.from_string(limits.bound_tree(tree))


def _bounded_render(template: Template, context: Context) -> str:
    """Stream the output, and stop as soon as it passes the limit or the time is up."""
    pieces: list[str] = []
    total = 0
    with limits.budget(limits.RENDER_SECONDS):
        for piece in template.generate(context):
            total += len(piece)
            if total > limits.MAX_CHARS:
                raise limits.TemplateLimit(
                    f"its output is longer than {limits.MAX_CHARS:,} characters (the limit)"
                )
            pieces.append(piece)
            limits.check_time()
    return "".join(pieces)


def ensure_emergency(slot: str, text: str, context: Context) -> str:
    variants = [context["emergency"], context["emergency_short"], context["emergency_spoken"]]
    if slot == "email_subject" or not context["emergency"]:
        return text
    if any(v and v in text for v in variants):
        return text
    extra = context["emergency_short"] if slot in ("sms", "portal") else context["emergency"]
    if slot == "voicemail":
        extra = context["emergency_spoken"]
    separator = " " if slot in ONE_LINE_SLOTS else "\n\n"
    return f"{text}{separator}{extra}"


def render_email_html(text: str, context: Context, *, language: str) -> str:
    """The HTML body: the plain-text body's paragraphs, escaped, in a remote-content-free shell."""
    paragraphs = [p.split("\n") for p in text.split("\n\n") if p.strip()]
    template = _HTML_ENV.get_template(f"{language}/email.html.j2")
    return str(template.render({**context, "paragraphs": paragraphs}))


# --- custom templates ------------------------------------------------------------------


def _walk(node: nodes.Node, depth: int = 0) -> Iterator[tuple[nodes.Node, int]]:
    yield node, depth
    inner = depth + 1 if isinstance(node, nodes.For) else depth
    for child in node.iter_child_nodes():
        yield from _walk(child, inner)


def _static_check(tree: nodes.Template) -> None:
    assigned = {"loop"}
    for node, _ in _walk(tree):
        if isinstance(node, nodes.Name) and node.ctx in ("store", "param"):
            assigned.add(node.name)
    for node, depth in _walk(tree):
        line = getattr(node, "lineno", None)
        if depth > MAX_LOOP_NESTING:
            raise TemplateProblem(f"loops may be nested at most {MAX_LOOP_NESTING} deep", line)
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            raise TemplateProblem("templates cannot include, import or extend others", line)
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            raise TemplateProblem("macros are not available in reply templates", line)
        if isinstance(node, nodes.AssignBlock | nodes.FilterBlock):
            # Both collect their whole body before anything can count it.
            raise TemplateProblem(
                "block {% set %} and {% filter %} are not available in reply templates; "
                "use {% set name = ... %} or a filter in {{ ... }}",
                line,
            )
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateProblem(f"'{node.attr}' is not available in reply templates", line)
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and str(node.arg.value).startswith("_")
        ):
            raise TemplateProblem(f"'{node.arg.value}' is not available in reply templates", line)
        if isinstance(node, nodes.Filter | nodes.Test) and node.name == "attr":
            raise TemplateProblem("the 'attr' filter is not available in reply templates", line)
        if isinstance(node, nodes.Call):
            raise TemplateProblem("templates cannot call functions or methods", line)
        known = CONTEXT_VARIABLES + tuple(assigned)
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in known:
            raise TemplateProblem(
                f"unknown variable '{node.name}'; available: {', '.join(CONTEXT_VARIABLES)}",
                line,
            )


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def validate_custom(slot: str, source: str, samples: Iterable[Context]) -> list[str]:
    """Raise ``TemplateProblem`` unless ``source`` parses, passes the checks and renders within
    the limits for every sample at every compact level; returns each sample's shortest
    rendering."""
    if slot not in SLOTS:
        raise TemplateProblem(f"unknown template '{slot}'; use one of {', '.join(SLOTS)}")
    if not source.strip():
        raise TemplateProblem("the template is empty")
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"the template is longer than {MAX_TEMPLATE_CHARS} characters")
    try:
        tree = _TEXT_ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", exc.lineno) from None
    except RecursionError:
        raise TemplateProblem("the template is nested too deeply") from None
    _static_check(tree)
    shortest = []
    with limits.budget(limits.SAVE_SECONDS):
        for context in samples:
            renders = [
                _trial(slot, {**context, "compact": level}, source) for level in COMPACT_LEVELS
            ]
            shortest.append(min(renders, key=len))
    return shortest


COMPACT_LEVELS = (0, 1, 2)


def _trial(slot: str, context: Context, source: str) -> str:
    try:
        return render_slot(slot, context, language="en", tone="warm", custom=source)
    except limits.TemplateLimit as exc:
        raise TemplateProblem(
            f"the {slot} template stops here: {exc}", _template_line(exc.__traceback__)
        ) from None
    except SecurityError as exc:
        raise TemplateProblem(
            f"not allowed in reply templates ({exc})", _template_line(exc.__traceback__)
        ) from None
    except MemoryError:
        raise TemplateProblem(f"the {slot} template needs too much memory to render") from None
    except RecursionError:
        raise TemplateProblem("the template is nested too deeply") from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateProblem(
            f"the template fails to render: {exc}", _template_line(exc.__traceback__)
        ) from None
