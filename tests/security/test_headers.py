"""Response headers and template hygiene: no-store, a strict CSP, nosniff; no inline script, no |safe.

Header checks run on real responses (every staff page of the URL walk, the public pages, the error and
lockout pages); template checks scan the template files and the Python code of ``haven/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse

from tests.personas import World
from tests.security.urlwalk import NON_PUBLIC_ROUTES, url_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted({*ROOT.glob("templates/**/*.html"), *ROOT.glob("haven/**/templates/**/*.html")})
PYTHON_FILES = sorted(ROOT.glob("haven/**/*.py"))

# Files allowed to mark markup as safe, each with the reason it is safe. Currently none.
SAFE_MARKUP_ALLOWLIST: dict[str, str] = {
    "haven/core/html.py": "format_html as Django's (escapes every argument), tested equal to it in test_html.py",
    "haven/core/tests/test_html.py": "passes strings already marked safe, to check they are not escaped twice",
}

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def staff_pages(world: World, login) -> list[tuple[str, HttpResponse]]:
    """Every walked staff page as Ada sees it (GET), plus an htmx partial of the client list."""
    http = login(world.ada, HttpClient())
    pages = []
    for route in NON_PUBLIC_ROUTES:
        url = url_for(route, world)
        response = http.get(url)
        if response.status_code == 200:
            pages.append((url, response))
    pages.append(("client list (htmx)", http.get(reverse("staff:client_list"), HTTP_HX_REQUEST="true")))
    return pages


def other_pages(world: World, login) -> list[tuple[str, HttpResponse]]:
    """Public pages, the 404 and 403 pages, and the lockout page."""
    anonymous = HttpClient()
    pages = [
        ("login", anonymous.get("/staff/login/")),
        ("password reset", anonymous.get(reverse("staff:password_reset"))),
        ("invalid invitation", anonymous.get(reverse("staff:accept_invitation", kwargs={"token": "nope"}))),
        ("404", login(world.hana, HttpClient()).get(f"/staff/clients/{world.ana.pk}/")),
        ("403", login(world.bill, HttpClient()).get(reverse("staff:admin_settings"))),
    ]
    attacker = HttpClient()
    for _ in range(6):
        locked = attacker.post("/staff/login/", {"username": world.fran.user.email, "password": "wrong guess"})
    pages.append(("lockout", locked))
    return pages


def csp_directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def is_html(response: HttpResponse) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html")


def test_pages_with_client_data_are_never_stored(world, login):
    """Every staff page (chart, contacts, edits, history, htmx partials) sends Cache-Control: no-store."""
    pages = staff_pages(world, login)
    urls = {url for url, _ in pages}
    assert f"/staff/clients/{world.ana.pk}/" in urls and f"/staff/clients/{world.ana.pk}/contacts/" in urls
    for url, response in [*pages, *other_pages(world, login)]:
        cache_control = response.headers.get("Cache-Control", "")
        assert "no-store" in cache_control, f"{url}: Cache-Control is {cache_control!r}"


def test_every_html_response_has_a_strict_content_security_policy(world, login):
    """No inline or eval'd script, nothing may frame the page, no plugins; also X-Frame-Options DENY."""
    pages = [*staff_pages(world, login), *other_pages(world, login)]
    html_pages = [(url, response) for url, response in pages if is_html(response)]
    files = [(url, response) for url, response in pages if response.has_header("Content-Disposition")]
    assert len(html_pages) + len(files) == len(pages)
    for url, response in files:
        # A stored document opened in a tab runs nothing, whatever it contains.
        assert response["Content-Security-Policy"].startswith("sandbox"), url
    for url, response in html_pages:
        csp = csp_directives(response)
        assert csp, f"{url}: no Content-Security-Policy header"
        script_src = csp.get("script-src", csp.get("default-src"))
        assert script_src, f"{url}: CSP has neither script-src nor default-src"
        assert "'unsafe-inline'" not in script_src, f"{url}: script-src allows inline script"
        assert "'unsafe-eval'" not in script_src, f"{url}: script-src allows eval"
        assert "*" not in script_src and "data:" not in script_src, f"{url}: script-src is too wide"
        assert csp.get("frame-ancestors") == ["'none'"], f"{url}: frame-ancestors is {csp.get('frame-ancestors')}"
        assert csp.get("object-src") == ["'none'"], f"{url}: object-src is {csp.get('object-src')}"
        assert response.headers.get("X-Frame-Options") == "DENY", url


def test_every_response_forbids_content_sniffing(world, login):
    """X-Content-Type-Options: nosniff on pages, error pages and the practice logo."""
    world.riverside.logo = PNG_1X1
    world.riverside.logo_content_type = "image/png"
    world.riverside.save()
    logo = HttpClient().get(reverse("practice_logo", kwargs={"slug": "riverside"}))
    assert logo.status_code == 200
    assert logo.headers["Content-Type"] == "image/png"
    pages = [*staff_pages(world, login), *other_pages(world, login), ("logo", logo)]
    for url, response in pages:
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url


def test_rendered_pages_carry_no_inline_script(world, login):
    """Every script tag a page actually sends loads a file (the CSP would block inline code anyway)."""
    for url, response in [*staff_pages(world, login), *other_pages(world, login)]:
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # files and page images carry no script
        for attributes in re.findall(r"<script\b([^>]*)>", response.content.decode(), flags=re.IGNORECASE):
            assert re.search(r"\bsrc\s*=", attributes), f"{url}: inline <script{attributes}>"


# --- Template and code scans --------------------------------------------------------------------


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scans_see_the_templates_and_code():
    """The scans below look at real files (a wrong glob would make them pass vacuously)."""
    names = {relative(path) for path in TEMPLATE_FILES}
    assert "templates/base.html" in names and "templates/staff/clients/chart.html" in names
    assert any(relative(path) == "haven/settings.py" for path in PYTHON_FILES)


def test_no_template_has_an_inline_script():
    """Every <script> in a template has a src; no inline event handlers or javascript: links either."""
    problems = []
    for path in TEMPLATE_FILES:
        text = path.read_text(encoding="utf-8")
        for attributes in re.findall(r"<script\b([^>]*)>", text, flags=re.IGNORECASE):
            if not re.search(r"\bsrc\s*=", attributes):
                problems.append(f"{relative(path)}: <script{attributes}> has no src")
        for handler in re.findall(r"<[a-zA-Z][^<>]*?\s(on[a-z]+)\s*=", text):
            problems.append(f"{relative(path)}: inline event handler {handler}=")
        if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", text, flags=re.IGNORECASE):
            problems.append(f"{relative(path)}: javascript: URL")
    assert problems == []


SAFE_IN_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\b|{%\s*filter\b[^%]*\bsafe\b")
SAFE_NAMES = {"mark_safe", "SafeString", "SafeText", "SafeData"}


def test_no_template_turns_off_escaping():
    """No |safe, |safeseq, {% autoescape off %} or {% filter safe %} in any template."""
    problems = [
        f"{relative(path)}: {match.group(0)!r}"
        for path in TEMPLATE_FILES
        if relative(path) not in SAFE_MARKUP_ALLOWLIST
        for match in SAFE_IN_TEMPLATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


def test_no_python_code_marks_strings_safe():
    """No mark_safe or SafeString in haven/ (found in the syntax tree, so comments do not count)."""
    problems = []
    for path in PYTHON_FILES:
        if relative(path) in SAFE_MARKUP_ALLOWLIST:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                names = {alias.name for alias in node.names}
            elif isinstance(node, ast.Name):
                names = {node.id}
            elif isinstance(node, ast.Attribute):
                names = {node.attr}
            else:
                continue
            for name in names & SAFE_NAMES:
                problems.append(f"{relative(path)}:{node.lineno}: {name}")
    assert problems == []


def test_the_escaping_scan_recognises_what_it_forbids():
    """The patterns catch the forms they are meant to catch, and leave ordinary filters alone."""
    assert SAFE_IN_TEMPLATE.search("{{ note|safe }}")
    assert SAFE_IN_TEMPLATE.search("{{ items | safeseq }}")
    assert SAFE_IN_TEMPLATE.search("{% autoescape off %}")
    assert SAFE_IN_TEMPLATE.search("{% filter force_escape|safe %}")
    assert not SAFE_IN_TEMPLATE.search("{{ name|default:'safe' }} {{ is_safe }}")
