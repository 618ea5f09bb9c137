"""The chrome's fixed addresses are those of ``{% url %}`` and ``{% static %}``, and follow a changed setting."""

from __future__ import annotations

from django.template import engines
from django.test import override_settings


def _render(source: str) -> str:
    return engines["django"].from_string(source).render({})


def test_fixed_addresses_are_the_ones_url_and_static_give() -> None:
    for name in ("staff:home", "staff:client_list", "staff:general_log", "staff:logout", "staff:account"):
        assert _render(f"{{% load haven_fixed %}}{{% fixed_url '{name}' %}}") == _render(f"{{% url '{name}' %}}")
    for path in ("haven/haven.css", "vendor/htmx/htmx.min.js"):
        fixed = _render(f"{{% load haven_fixed %}}{{% fixed_static '{path}' %}}")
        assert fixed == _render(f"{{% load static %}}{{% static '{path}' %}}")


def test_a_changed_static_address_is_not_remembered_from_before() -> None:
    before = _render("{% load haven_fixed %}{% fixed_static 'haven/haven.css' %}")
    with override_settings(STATIC_URL="/elsewhere/"):
        moved = _render("{% load haven_fixed %}{% fixed_static 'haven/haven.css' %}")
    assert moved.startswith("/elsewhere/") and not before.startswith("/elsewhere/")
    assert _render("{% load haven_fixed %}{% fixed_static 'haven/haven.css' %}") == before
