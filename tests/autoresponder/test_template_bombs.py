"""Template bombs: custom templates that would take minutes or gigabytes are refused on save
with a 422 naming the template and the limit (autoresponder/template_limits.py).

Before: ``{{ "x"|center(100000000) }}`` took 67 s and 3.2 GB, larger values were a 500
(MemoryError), string multiplication was bounded by its count only (``("x" * 1000) * 1000``
passed) and output was cut only after rendering. Every case here must be answered within
``BOUND_SECONDS`` (pytest-timeout fails it otherwise): the limits are checked before the work
they bound or as soon as it crosses them, so none of these gets near it.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.autoresponder import template_limits as limits
from interlude.autoresponder.models import AutoresponderProfile
from tests.autoresponder.helpers import API, generate

BOUND_SECONDS = 20
SIZE = f"{limits.MAX_CHARS:,} characters"
TURNS = f"{limits.MAX_LOOP_TURNS:,} times"
BITS = f"{limits.MAX_INT_BITS:,} bits"
WIDTH = f"{limits.MAX_FORMAT_WIDTH:,}"
SECONDS = f"{limits.RENDER_SECONDS:g} s"

X1000 = '"x" * 1000'
BOMBS: dict[str, tuple[str, str]] = {
    "center": ('{{ "x"|center(100000000) }}', SIZE),
    "repeat": ('{{ "x" * 100000000 }}', SIZE),
    "repeat of a repeat": (f"{{{{ ({X1000}) * 1000 }}}}", SIZE),
    "list repeat": ('{{ ["x" * 1000] * 1000 }}', SIZE),
    "doubling with ~": (
        f"{{% set s = {X1000} %}}" + "{% set s = s ~ s %}" * 8 + "{{ s|length }}",
        SIZE,
    ),
    "doubling with +": ('{% set s = "xxxxxxxxxx" %}' + "{% set s = s + s %}" * 14, SIZE),
    "doubling in a block": (f"{{% set s = {X1000} %}}{{% set t %}}{{{{ s }}}}{{% endset %}}", ""),
    "indent": ('{{ "x"|indent(100000000, true) }}', SIZE),
    "indent per line": ('{{ ("x\\n" * 1000)|indent(1000) }}', SIZE),
    "format width": ('{{ "%100000000s"|format("x") }}', WIDTH),
    "format star": ('{{ "%*s"|format(100000000, "x") }}', WIDTH),
    "percent": ('{{ "%100000000s" % "x" }}', WIDTH),
    "percent named": ('{{ "%(a)100000000s" % {"a": "x"} }}', WIDTH),
    "replace": (f'{{{{ ({X1000})|replace("x", {X1000}) }}}}', SIZE),
    "replace empty": ('{{ ("x" * 10000)|replace("", "yy") }}', SIZE),
    "join": (f"{{{{ ({X1000})|list|join({X1000}) }}}}", SIZE),
    "wordwrap": (f'{{{{ ("x " * 1000)|wordwrap(1, true, {X1000}) }}}}', SIZE),
    "batch": ('{{ ["x"]|batch(100000000, "y")|list }}', SIZE),
    "slice": ('{{ ["x"]|slice(100000000)|list }}', SIZE),
    "power": ("{{ 9 ** 9999999 }}", BITS),
    "power of a power": ("{{ (9 ** 64) ** 64 ** 64 }}", BITS),
    "squaring": ("{% set n = 9 ** 60 %}" + "{% set n = n * n %}" * 12 + "{{ n }}", BITS),
    "nested loops": (
        f"{{% for a in {X1000} %}}{{% for b in {X1000} %}}{{{{ a }}}}{{% endfor %}}{{% endfor %}}",
        TURNS,
    ),
    "silent nested loops": (
        f"{{% for a in {X1000} %}}{{% for b in {X1000} %}}{{% endfor %}}{{% endfor %}}",
        TURNS,
    ),
    "output": (
        '{% for a in "x" * 90 %}{% for b in "x" * 90 %}{{ "y" * 1000 }}{% endfor %}{% endfor %}',
        SIZE,
    ),
    "slow": (
        '{% for a in "x" * 90 %}{% for b in "x" * 90 %}{{ ("yx" * 3000)|sort|length }}'
        "{% endfor %}{% endfor %}",
        SECONDS,
    ),
    "only when compact": ('{% if compact == 1 %}{{ "x"|center(100000000) }}{% endif %}', SIZE),
    "range": ("{{ range(100000000)|list }}", ""),
}


@pytest.mark.timeout(BOUND_SECONDS)
@pytest.mark.parametrize("name", list(BOMBS))
def test_template_bombs_are_a_422_naming_the_template_and_the_limit(
    client: TestClient, auth: dict[str, str], name: str
) -> None:
    source, limit = BOMBS[name]
    response = client.put(
        f"{API}/templates/email", json={"source": source + " {{ emergency }}"}, headers=auth
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "template_invalid"
    assert error["details"]["slot"] == "email"
    assert error["message"].startswith("Template not saved."), error["message"]
    if limit:  # the size, time and repetition bounds name the template and the number
        assert "email template" in error["message"], error["message"]
        assert limit in error["message"], error["message"]
    templates = client.get(f"{API}/templates", headers=auth).json()["templates"]
    assert not any(t["custom"] for t in templates)


def test_a_template_within_the_limits_is_saved(client: TestClient, auth: dict[str, str]) -> None:
    source = (
        "{% for day in \"ab\" %}{% for part in ['x', 'y'] %}{{ day ~ part }}{% endfor %}"
        "{% endfor %} {{ ('-' * 20)|center(30) }} {{ '%5s'|format('ok') }} "
        "{{ name|replace('a', 'aa') }} {{ emergency }}"
    )
    response = client.put(f"{API}/templates/email", json={"source": source}, headers=auth)
    assert response.status_code == 200, response.text
    body = generate(client, auth, "email")
    assert "axaybxby" in body["content"]["text"]


@pytest.mark.timeout(BOUND_SECONDS)
def test_a_bomb_saved_before_the_limits_falls_back_to_the_built_in_template(
    client: TestClient, auth: dict[str, str], db: Session, user: User
) -> None:
    """A template stored before these limits existed is bounded when replies are generated:
    the reply uses the built-in template and says why; never a 500, never minutes."""
    assert client.get(f"{API}/profile", headers=auth).status_code == 200
    profile = db.get(AutoresponderProfile, user.id)
    assert profile is not None
    profile.custom_templates = {"email": '{{ "x"|center(100000000) }} {{ emergency }}'}
    db.commit()
    body = generate(client, auth, "email")
    assert any("custom email template failed" in w for w in body["warnings"]), body["warnings"]
    assert "x" * 1000 not in body["content"]["text"]
