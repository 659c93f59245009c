"""Bounded work for the custom reply templates a user writes.

A template may not build a value, or produce output, larger than ``MAX_CHARS`` characters,
turn its loops more than ``MAX_LOOP_TURNS`` times in all, or run longer than
``RENDER_SECONDS``. Each bound is checked *before* the work it bounds wherever the size is
known in advance (``"x"|center(100000000)`` is refused without allocating anything), and
otherwise as soon as it is crossed (output is counted as it is produced, loops turn by
turn). What crosses a bound raises ``TemplateLimit``, which names the bound.

Where the checks sit:
- every filter (``bounded_filters``): a pre-check for those whose result can outgrow their
  input (center, indent, format, replace, join, wordwrap, batch, slice, sum, string, pprint,
  tojson), and for all a check of the clock and of the size of what they return;
- the operators that can grow a value (``+``, ``*``, ``**``, ``%``): ``ReplySandbox.call_binop``
  in render.py calls ``binop``;
- the parsed template (``bound_tree``): every loop's iterable goes through ``loop_turns``,
  every ``~`` concatenation through ``concat``, and every list, tuple and dict literal
  through ``value``, so no expression escapes the size bound.
"""

from __future__ import annotations

import functools
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.exceptions import TemplateError
from jinja2.visitor import NodeTransformer

MAX_CHARS = 20_000  # of output, and of any one text, list or number a template builds
MAX_LOOP_TURNS = 10_000  # all loops of one render together
MAX_INT_BITS = 10_000  # about 3,000 digits
MAX_FORMAT_WIDTH = 1_000  # a width or precision in "%-formatting"
RENDER_SECONDS = 0.5  # one render
SAVE_SECONDS = 2.0  # every trial render of a save together


class TemplateLimit(TemplateError):
    """A template crossed one of the bounds above; the message names it."""


@dataclass
class _Budget:
    deadline: float
    seconds: float
    turns: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Bound the renders inside by ``seconds`` (nested: the tighter deadline wins)."""
    outer = _budget.get()
    deadline = time.monotonic() + seconds
    if outer is not None and outer.deadline < deadline:
        deadline, seconds = outer.deadline, outer.seconds
    token = _budget.set(_Budget(deadline, seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def check_time() -> None:
    current = _budget.get()
    if current is not None and time.monotonic() > current.deadline:
        raise TemplateLimit(f"it takes too long to render (the limit is {current.seconds:g} s)")


def _too_large(what: str = "a text or list") -> TemplateLimit:
    return TemplateLimit(f"it builds {what} longer than {MAX_CHARS:,} characters (the limit)")


def size(value: Any) -> int:
    """About how many characters ``value`` prints as; stops counting past the limit."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() * 30103 // 100000 + 1
    if isinstance(value, list | tuple | set | frozenset | dict):
        total = 2
        items = value.items() if isinstance(value, dict) else value
        for item in items:
            total += size(item) + 2
            if total > MAX_CHARS:
                break
        return total
    return 8  # floats, dates, loop state: short when printed


def value(obj: Any) -> Any:
    """``obj`` if it is within the size bound."""
    check_time()
    if isinstance(obj, int) and not isinstance(obj, bool) and obj.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"it builds a number longer than {MAX_INT_BITS:,} bits (the limit)")
    if size(obj) > MAX_CHARS:
        raise _too_large()
    return obj


def loop_turns(iterable: Iterable[Any]) -> Iterator[Any]:
    """The iterable, counted against the render's loop turns and clock."""
    current = _budget.get()
    for item in iterable:
        if current is not None:
            current.turns += 1
            if current.turns > MAX_LOOP_TURNS:
                raise TemplateLimit(
                    f"its loops repeat more than {MAX_LOOP_TURNS:,} times (the limit)"
                )
        check_time()
        yield item


def concat(parts: list[Any]) -> str:
    """``a ~ b ~ c``, refused as soon as the joined text would pass the limit."""
    texts = []
    total = 0
    for part in parts:
        text = str(part)
        total += len(text)
        if total > MAX_CHARS:
            raise _too_large("a text")
        texts.append(text)
    return "".join(texts)


# --- operators ---------------------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_printf(template: str) -> None:
    """``"%100000000s" % x`` and ``"%*s"``: widths are bounded before formatting."""
    for match in _PRINTF.finditer(template):
        for spec in match.groups():
            if spec == "*" or (spec and int(spec) > MAX_FORMAT_WIDTH):
                raise TemplateLimit(
                    f"it formats with a width or precision over {MAX_FORMAT_WIDTH:,} (the limit)"
                )


def _is_int(obj: Any) -> bool:
    return isinstance(obj, int) and not isinstance(obj, bool)


def binop(operator_: str, left: Any, right: Any) -> Any:
    """``+``, ``*``, ``**`` and ``%`` with their results bounded before they are computed."""
    check_time()
    if operator_ == "**":
        big = _is_int(left) and _is_int(right) and max(left.bit_length(), 1) * right > MAX_INT_BITS
        if big:
            raise TemplateLimit(f"it builds a number longer than {MAX_INT_BITS:,} bits")
        return value(operator.pow(left, right))
    if operator_ == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit(f"it builds a number longer than {MAX_INT_BITS:,} bits")
        else:
            count = right if _is_int(right) else left if _is_int(left) else 1
            sized = left if _is_int(right) else right
            if isinstance(sized, str | list | tuple) and size(sized) * max(count, 0) > MAX_CHARS:
                raise _too_large()
        return value(operator.mul(left, right))
    if operator_ == "+":
        if not (_is_int(left) and _is_int(right)) and size(left) + size(right) > MAX_CHARS:
            raise _too_large()
        return value(operator.add(left, right))
    if operator_ == "%":
        if isinstance(left, str):
            check_printf(left)
        return value(operator.mod(left, right))
    raise TemplateLimit(f"the operator {operator_} is not bounded")


# --- filters -----------------------------------------------------------------------------


def _pre_center(value_: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    if _is_int(width) and width > MAX_CHARS:
        raise _too_large("a text")


def _pre_indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    pad = len(width) if isinstance(width, str) else width if _is_int(width) else 0
    if size(s) + (str(s).count("\n") + 1) * max(pad, 0) > MAX_CHARS:
        raise _too_large("a text")


def _pre_format(value_: Any, *args: Any, **kwargs: Any) -> None:
    check_printf(str(value_))
    if size(value_) + size(list(args)) + size(kwargs) > MAX_CHARS:
        raise _too_large("a text")


def _pre_replace(s: Any, old: Any = "", new: Any = "", count: Any = None, **_: Any) -> None:
    text, old, new = str(s), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if _is_int(count) and count >= 0:
        times = min(times, count)
    if len(text) + times * max(len(new) - len(old), 0) > MAX_CHARS:
        raise _too_large("a text")


def _pre_wordwrap(
    s: Any, width: Any = 79, _b: Any = True, wrapstring: Any = None, *_: Any, **kw: Any
) -> None:
    text = str(s)
    wrap = kw.get("wrapstring", wrapstring)
    lines = len(text) // max(width if _is_int(width) else 1, 1) + text.count(" ") + 1
    if len(text) + lines * len(str(wrap or "\n")) > MAX_CHARS:
        raise _too_large("a text")


def _pre_join(items: Any, d: Any = "", *_: Any, **__: Any) -> None:
    if isinstance(items, list) and size(items) + len(items) * len(str(d)) > MAX_CHARS:
        raise _too_large("a text")


def _pre_count(_value: Any, count: Any = 1, *_: Any, **__: Any) -> None:
    """batch(linecount) and slice(slices): each makes that many lists or fills."""
    if _is_int(count) and count > MAX_CHARS:
        raise _too_large("a list")


def _pre_printed(value_: Any, *_: Any, **__: Any) -> None:
    if size(value_) > MAX_CHARS:
        raise _too_large()


_PRE_CHECKS: dict[str, Callable[..., None]] = {
    "center": _pre_center,
    "indent": _pre_indent,
    "format": _pre_format,
    "replace": _pre_replace,
    "join": _pre_join,
    "wordwrap": _pre_wordwrap,
    "batch": _pre_count,
    "slice": _pre_count,
    "string": _pre_printed,
    "pprint": _pre_printed,
    "tojson": _pre_printed,
    "xmlattr": _pre_printed,
}
# Filters that read a whole iterable, which may be a lazy one (map, select...): it is
# listed first, so its size can be checked before the filter builds from it.
_MATERIALISED = frozenset({"join", "sum", "list", "string", "pprint", "tojson"})


def _bounded(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    pre = _PRE_CHECKS.get(name)
    skip = 1 if getattr(original, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(original)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        check_time()
        if name in _MATERIALISED and len(args) > skip and not isinstance(args[skip], str):
            items = args[skip]
            if isinstance(items, Iterable) and not isinstance(items, dict):
                listed = list(items)  # bounded: made by bounded filters from bounded values
                if size(listed) > MAX_CHARS:
                    raise _too_large()
                args = (*args[:skip], listed, *args[skip + 1 :])
        if pre is not None:
            pre(*args[skip:], **kwargs)
        return value(original(*args, **kwargs))

    return bounded


def bounded_filters() -> dict[str, Callable[..., Any]]:
    """Jinja's filters, each bounded as described above (``attr`` is refused statically)."""
    return {name: _bounded(name, f) for name, f in DEFAULT_FILTERS.items()}


# --- the parsed template ------------------------------------------------------------------

LOOP_FILTER = "interlude_loop"
VALUE_FILTER = "interlude_value"
CONCAT_FILTER = "interlude_concat"
GUARD_FILTERS = {LOOP_FILTER: loop_turns, VALUE_FILTER: value, CONCAT_FILTER: concat}


def _through(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Bound(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _through(node.iter, LOOP_FILTER)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _through(nodes.List(node.nodes, lineno=node.lineno), CONCAT_FILTER)

    def _literal(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        return _through(node, VALUE_FILTER)

    visit_List = _literal
    visit_Dict = _literal

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        # Only built tuples: ``{% for a, b in ... %}`` and ``{% set a, b = ... %}`` store.
        if node.ctx == "load":
            return self._literal(node)
        self.generic_visit(node)
        return node


def bound_tree(tree: nodes.Template) -> nodes.Template:
    """The template with its loops counted and its literals and concatenations bounded."""
    result = _Bound().visit(tree)
    assert isinstance(result, nodes.Template)
    return result
