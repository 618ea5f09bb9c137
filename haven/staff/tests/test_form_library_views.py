"""The staff Forms library and builder (FORM-1, FORM-2, FORM-5): who sees and changes which forms, building a form
by sending the page back as a browser would, publishing versions, printing blank forms, FHIR export and import,
another practice's forms, and query counts that do not grow with forms or fields."""

from __future__ import annotations

import json
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.intake.actions import create_form, publish_form
from haven.intake.fhir import schema_from_questionnaire
from haven.intake.models import FormKind, FormVersion, IntakeForm
from tests.personas import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LIBRARY = "/staff/forms/"
DEFAULT_TITLES = [
    "Client Information",
    "Consent for Treatment",
    "Notice of Privacy Practices Acknowledgment",
    "Authorization for Release of Information",
    "Telehealth Consent",
    "Financial Policy",
    "PHQ-9",
    "GAD-7",
]


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def default_form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def dynamic_form(
    world: World, fields: list[dict[str, Any]] | None = None, title: str = "Session check-in"
) -> IntakeForm:
    mood = {"key": "mood", "type": "short_text", "label": "How is your mood?"}
    return create_form(by=world.theo, kind=FormKind.DYNAMIC, title=title, fields=[mood] if fields is None else fields)


def url(name: str, form: IntakeForm) -> str:
    return reverse(f"staff:{name}", kwargs={"form_id": form.pk})


class BuilderPage(HTMLParser):
    """The builder form's fields as a browser would send them (without pressing any button)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.buttons: set[str] = set()
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("id") == "builder":
            self._inside = True
        if not self._inside:
            return
        name = found.get("name", "")
        if tag == "input" and name:
            if found.get("type") == "checkbox":
                if "checked" in found:
                    self.data[name] = found.get("value") or "on"
            else:
                self.data[name] = found.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = found.get("value", "")
            if "selected" in found:
                self.data[self._select] = found.get("value", "")
        elif tag == "button" and name == "op" and "disabled" not in found:
            self.buttons.add(found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.data.setdefault(self._select, self._first_option or "")
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n") if not self.data[self._textarea] else data


def builder_data(response: TestResponse) -> tuple[dict[str, str], set[str]]:
    reader = BuilderPage()
    reader.feed(response.content.decode())
    assert reader.data, "the page has no builder form"
    return reader.data, reader.buttons


def press(http: HttpClient, form: IntakeForm, response: TestResponse, op: str, **typed: str) -> TestResponse:
    """Type into the builder as it was last shown, then press one of its buttons."""
    data, buttons = builder_data(response)
    assert op in buttons or op == "save", f"no {op} button on the page: {sorted(buttons)}"
    return http.post(url("form_detail", form), {**data, **typed, "op": op})


def labels(form: IntakeForm) -> list[str]:
    form.refresh_from_db()
    return [item["label"] for item in form.draft_fields]


# --- The library -----------------------------------------------------------------------------------------------


def test_every_staff_member_sees_the_forms_library_with_the_default_forms(world: World, login) -> None:
    response = login(world.bill).get(LIBRARY)

    assert response.status_code == 200
    text = page(response)
    assert '<a class="nav-link text-nowrap active" aria-current="page" href="/staff/forms/">Forms</a>' in text
    for title in DEFAULT_TITLES:
        assert title in text
    assert text.count("Version 1") == len(DEFAULT_TITLES)
    assert '<span class="badge badge-portal ms-1">Scored · PHQ-9</span>' in text
    assert "Scored · GAD-7</span>" in text
    assert "New intake form" not in text and "Import (FHIR)" not in text  # Bill may build nothing


def test_the_buttons_follow_the_permission_for_each_kind(world: World, login) -> None:
    theo = login(world.theo, HttpClient())
    fran = login(world.fran, HttpClient())

    assert "New intake form" not in page(theo.get(LIBRARY))
    assert "New dynamic form" in page(theo.get(LIBRARY + "?tab=dynamic"))
    assert "New intake form" in page(fran.get(LIBRARY)) and "Import (FHIR)" in page(fran.get(LIBRARY))
    assert "New dynamic form" not in page(fran.get(LIBRARY + "?tab=dynamic"))


def test_the_dynamic_tab_lists_dynamic_forms_and_says_what_is_unpublished(world: World, login) -> None:
    dynamic_form(world, title="Weekly check-in")
    published = dynamic_form(world, title="Goals review")
    publish_form(by=world.theo, form=published)
    changed = dynamic_form(world, title="Sleep diary")
    publish_form(by=world.theo, form=changed)
    IntakeForm.objects.filter(pk=changed.pk).update(title="Sleep diary (new)")

    text = page(login(world.fran).get(LIBRARY + "?tab=dynamic"))

    assert "Consent for Treatment" not in text
    listed = text.split('<li class="list-group-item py-3" data-form=')[1:]
    rows = {
        title: next(row for row in listed if title in row) for title in ("Weekly check-in", "Goals review", "Sleep")
    }
    assert "Draft, not published yet" in rows["Weekly check-in"]
    assert "Version 1" in rows["Goals review"] and "Draft changes not published" not in rows["Goals review"]
    assert "Version 1" in rows["Sleep"] and "Draft changes not published" in rows["Sleep"]


def test_archived_forms_are_hidden_until_asked_for(world: World, login) -> None:
    http = login(world.ada)
    form = default_form(world, "financial_policy")
    archived = http.post(url("form_archive", form))
    assert archived.status_code == 302
    assert "“Financial Policy” is archived" in page(http.get(archived["Location"]))

    listed = page(http.get(LIBRARY))
    shown = page(http.get(LIBRARY + "?tab=intake&archived=1"))

    assert "Financial Policy" not in listed and "Show archived (1)" in listed
    assert "Financial Policy" in shown and "Archived</span>" in shown and "Hide archived forms" in shown
    assert http.post(url("form_archive", form), {"restore": "1"}).status_code == 302
    assert "Financial Policy" in page(http.get(LIBRARY))
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="form.")] == [
        "form.archived",
        "form.restored",
    ]


# --- Who may build what --------------------------------------------------------------------------------------


def test_a_therapist_builds_a_dynamic_form_from_new_to_published(world: World, login) -> None:
    http = login(world.theo)
    created = http.post(reverse("staff:form_create"), {"kind": "dynamic", "title": "Weekly check-in"})
    form = IntakeForm.objects.get(title="Weekly check-in")
    assert created.status_code == 302 and created["Location"] == url("form_detail", form)
    assert form.kind == FormKind.DYNAMIC and form.created_by == world.theo

    shown = http.get(url("form_detail", form))
    added = press(http, form, shown, "add", **{"new-type": "yes_no", "new-label": "Did you sleep well?"})
    assert added.status_code == 200 and "Changes not saved yet" in page(added)
    saved = press(http, form, added, "save")
    assert saved.status_code == 302
    assert form.__class__.objects.get(pk=form.pk).draft_fields == [
        {"key": "did_you_sleep_well", "type": "yes_no", "label": "Did you sleep well?"}
    ]

    published = press(http, form, http.get(url("form_detail", form)), "publish")
    assert published.status_code == 302
    assert "Version 1 published." in page(http.get(published["Location"]))


def test_a_therapist_sees_intake_forms_read_only_and_a_forged_change_is_refused(world: World, login) -> None:
    http = login(world.theo)
    form = default_form(world, "consent_for_treatment")
    before = form.draft_fields

    shown = http.get(url("form_detail", form))
    forged = http.post(url("form_detail", form), {"op": "save", "title": "Changed", "count": "0"})
    archived = http.post(url("form_archive", form))
    copied = http.post(url("form_copy", form), {"kind": "intake"})

    assert shown.status_code == 200
    assert 'id="builder"' not in page(shown) and "Save draft" not in page(shown)
    assert "Only staff who can manage intake forms can change intake forms." in page(shown)
    for response in (forged, archived, copied):
        assert response.status_code == 403
        assert "Only staff who can manage intake forms can change intake forms." in page(response)
    form.refresh_from_db()
    assert form.title == "Consent for Treatment" and form.draft_fields == before and not form.is_archived
    assert IntakeForm.objects.filter(practice=world.riverside).count() == len(DEFAULT_TITLES)


def test_front_desk_edits_intake_forms_but_not_dynamic_ones(world: World, login) -> None:
    http = login(world.fran)
    intake = default_form(world, "telehealth_consent")
    dynamic = dynamic_form(world)

    retitled = press(http, intake, http.get(url("form_detail", intake)), "save", title="Telehealth Consent (2026)")
    refused = http.post(url("form_detail", dynamic), {"op": "save", "title": "Mine", "count": "0"})
    creating = http.get(reverse("staff:form_create") + "?kind=dynamic")

    assert retitled.status_code == 302 and labels(intake)  # saved
    assert IntakeForm.objects.get(pk=intake.pk).title == "Telehealth Consent (2026)"
    assert refused.status_code == 403
    assert "Only staff who can add, edit and archive dynamic forms can change dynamic forms." in page(refused)
    assert IntakeForm.objects.get(pk=dynamic.pk).title == "Session check-in"
    assert creating.status_code == 403 and 'name="title"' not in page(creating)
    assert http.post(reverse("staff:form_create"), {"kind": "dynamic", "title": "X"}).status_code == 403
    assert not IntakeForm.objects.filter(title="X").exists()


# --- Building ------------------------------------------------------------------------------------------------


def test_publishing_makes_version_two_and_leaves_version_one_as_it_was(world: World, login) -> None:
    http = login(world.ada)
    form = default_form(world, "demographics")
    first = FormVersion.objects.get(form=form, number=1)

    opened = press(http, form, http.get(url("form_detail", form)), "open-1")
    published = press(http, form, opened, "publish", **{"edit-label": "Your full legal name"})

    assert published.status_code == 302
    assert "Version 2 published." in page(http.get(published["Location"]))
    form.refresh_from_db()
    assert form.current_version is not None and form.current_version.number == 2
    assert form.current_version.fields[1]["label"] == "Your full legal name"
    assert form.current_version.fields[1]["key"] == first.fields[1]["key"] == "name"  # saved keys never follow labels
    assert FormVersion.objects.get(pk=first.pk).fields == first.fields
    event = AuditEvent.objects.get(action="form.published")
    assert event.details == {"version": 2, "changed": ["name"]}


def test_a_definition_that_cant_be_saved_shows_the_words_by_its_field_and_keeps_what_was_typed(
    world: World, login
) -> None:
    http = login(world.theo)
    form = dynamic_form(world)
    shown = http.get(url("form_detail", form))
    added = press(http, form, shown, "add", **{"new-type": "single_choice", "new-label": "How did you get here?"})

    refused = press(
        http,
        form,
        added,
        "save",
        title="Check-in, weekly",
        **{"edit-choices": "By bus", "edit-help": "Pick the one you used most"},
    )

    assert refused.status_code == 400
    text = page(refused)
    assert "There is a problem" in text
    assert "“How did you get here?” needs at least two choices." in text
    assert 'href="#field-1"' in text and 'id="field-1-error"' in text
    data, _buttons = builder_data(refused)
    assert data["title"] == "Check-in, weekly"
    assert data["edit-choices"] == "By bus" and data["edit-help"] == "Pick the one you used most"
    assert data["edit-label"] == "How did you get here?"
    assert labels(form) == ["How is your mood?"]  # nothing saved

    fixed = press(http, form, refused, "save", **{"edit-choices": "By bus\nBy car\nOn foot"})
    assert fixed.status_code == 302
    form.refresh_from_db()
    assert form.title == "Check-in, weekly"
    assert form.draft_fields[1]["options"] == [
        {"value": "by_bus", "label": "By bus"},
        {"value": "by_car", "label": "By car"},
        {"value": "on_foot", "label": "On foot"},
    ]


def test_a_title_left_empty_is_refused_next_to_it(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(world)
    refused = press(http, form, http.get(url("form_detail", form)), "save", title="  ")
    assert refused.status_code == 400
    assert "Give the form a title." in page(refused) and 'href="#id_title"' in page(refused)


def test_choices_keep_their_values_and_a_field_can_wait_for_an_answer(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(
        world,
        [
            {
                "key": "transport",
                "type": "single_choice",
                "label": "How did you get here?",
                "options": [{"value": "bus", "label": "By bus"}, {"value": "car", "label": "By car"}],
            },
            {"key": "parking", "type": "short_text", "label": "Where did you park?"},
        ],
    )
    opened = press(http, form, http.get(url("form_detail", form)), "open-0")
    renamed = press(http, form, opened, "open-1", **{"edit-choices": "On foot\nBy car (parked)\nBy bus"})
    text = page(renamed)
    assert '<option value="transport=car">“How did you get here?” is “By car (parked)”</option>' in text

    saved = press(http, form, renamed, "save", **{"edit-show_when": "transport=car", "edit-required": "on"})

    assert saved.status_code == 302
    form.refresh_from_db()
    assert form.draft_fields[0]["options"] == [
        {"value": "on_foot", "label": "On foot"},
        {"value": "car", "label": "By car (parked)"},
        {"value": "bus", "label": "By bus"},
    ]
    assert form.draft_fields[1] == {
        "key": "parking",
        "type": "short_text",
        "label": "Where did you park?",
        "required": True,
        "show_when": {"field": "transport", "equals": "car"},
    }
    assert "Shown only when “How did you get here?” is “By car (parked)”" in page(http.get(url("form_detail", form)))


def test_a_new_fields_key_follows_its_question_until_saved_and_conditions_follow_it(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(world, [])
    shown = http.get(url("form_detail", form))
    first = press(http, form, shown, "add", **{"new-type": "yes_no", "new-label": "Smoke?"})
    second = press(http, form, first, "add", **{"new-type": "short_text", "new-label": "How much?"})
    conditioned = press(http, form, second, "open-0", **{"edit-show_when": "smoke=yes"})
    renamed = press(http, form, conditioned, "save", **{"edit-label": "Do you smoke?"})

    assert renamed.status_code == 302
    form.refresh_from_db()
    assert [item["key"] for item in form.draft_fields] == ["do_you_smoke", "how_much"]
    assert form.draft_fields[1]["show_when"] == {"field": "do_you_smoke", "equals": "yes"}

    reopened = press(http, form, http.get(url("form_detail", form)), "open-0")
    press(http, form, reopened, "save", **{"edit-label": "Do you smoke or vape?"})
    form.refresh_from_db()
    assert form.draft_fields[0]["key"] == "do_you_smoke"  # saved keys stay


def test_fields_move_and_removing_one_shows_what_waited_for_it_always(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(
        world,
        [
            {"key": "smoke", "type": "yes_no", "label": "Do you smoke?"},
            {
                "key": "amount",
                "type": "short_text",
                "label": "How much?",
                "show_when": {"field": "smoke", "equals": "yes"},
            },
            {"key": "mood", "type": "short_text", "label": "How is your mood?"},
        ],
    )
    shown = http.get(url("form_detail", form))
    moved = press(http, form, shown, "up-2")
    removed = press(http, form, moved, "remove-0")
    assert "“How much?” is now always shown." in page(removed)
    assert press(http, form, removed, "save").status_code == 302
    form.refresh_from_db()
    assert form.draft_fields == [
        {"key": "mood", "type": "short_text", "label": "How is your mood?"},
        {"key": "amount", "type": "short_text", "label": "How much?"},
    ]


def test_a_question_typed_in_add_a_field_is_kept_when_saving(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(world)
    saved = press(http, form, http.get(url("form_detail", form)), "save", **{"new-label": "Anything else?"})
    assert saved.status_code == 302
    assert labels(form) == ["How is your mood?", "Anything else?"]


def test_a_type_changed_drops_what_it_does_not_use(world: World, login) -> None:
    http = login(world.ada)
    form = default_form(world, "demographics")
    opened = press(http, form, http.get(url("form_detail", form)), "open-1")
    data, _buttons = builder_data(opened)
    assert data["edit-prefill"] == "name"
    assert press(http, form, opened, "save", **{"edit-type": "number"}).status_code == 302
    form.refresh_from_db()
    assert form.draft_fields[1]["type"] == "number" and "prefill" not in form.draft_fields[1]


def test_a_save_after_someone_elses_is_refused_with_the_typed_changes_kept(world: World, login) -> None:
    ada, theo = login(world.ada, HttpClient()), login(world.theo, HttpClient())
    form = dynamic_form(world)
    theirs = ada.get(url("form_detail", form))
    mine = theo.get(url("form_detail", form))
    assert press(ada, form, theirs, "save", title="Ada's title").status_code == 302

    refused = press(theo, form, mine, "save", title="Theo's title")

    assert refused.status_code == 409
    assert "Someone else saved this form while you were editing it." in page(refused)
    assert builder_data(refused)[0]["title"] == "Theo's title"
    assert IntakeForm.objects.get(pk=form.pk).title == "Ada's title"
    assert press(theo, form, refused, "save").status_code == 302  # saving again keeps them, knowingly
    assert IntakeForm.objects.get(pk=form.pk).title == "Theo's title"


def test_copy_to_intake_form_and_duplicate(world: World, login) -> None:
    http = login(world.ada)
    dynamic = dynamic_form(world)
    text = page(http.get(url("form_detail", dynamic)))
    assert "Copy to intake form" in text and "Duplicate" in text
    assert "Copy to intake form" not in page(http.get(url("form_detail", default_form(world, "phq9"))))

    copied = http.post(url("form_copy", dynamic), {"kind": "intake"})
    duplicated = http.post(url("form_copy", dynamic), {"kind": "dynamic"})

    intake = IntakeForm.objects.get(kind=FormKind.INTAKE, copied_from=dynamic)
    again = IntakeForm.objects.get(kind=FormKind.DYNAMIC, copied_from=dynamic)
    assert copied["Location"] == url("form_detail", intake) and duplicated["Location"] == url("form_detail", again)
    assert intake.title == "Session check-in" and again.title == "Copy of Session check-in"
    assert intake.draft_fields == dynamic.draft_fields and intake.current_version is None
    assert "Copy to intake form" not in page(login(world.theo, HttpClient()).get(url("form_detail", dynamic)))


def test_the_preview_shows_the_fields_as_the_portal_does(world: World, login) -> None:
    http = login(world.bill)
    form = default_form(world, "phq9")
    text = page(http.get(url("form_preview", form)))
    assert "Little interest or pleasure in doing things" in text
    assert "<fieldset disabled>" in text and "Several days" in text
    assert "(required)" in text
    current = page(http.get(url("form_preview", form) + "?version=current"))
    assert 'aria-current="page" href="?version=current"' in current


# --- Print, export, import --------------------------------------------------------------------------------------


def test_print_blank_form_gives_a_pdf_and_is_audited(world: World, login) -> None:
    form = default_form(world, "consent_for_treatment")
    response = login(world.bill).get(url("form_print", form))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="consent-for-treatment-version-1.pdf"'
    assert "no-store" in response["Cache-Control"] and response["Content-Security-Policy"].startswith("sandbox")
    event = AuditEvent.objects.get(action="form.printed")
    assert event.details == {"version": 1} and event.actor_id == world.bill.user.pk
    assert event.object_id == str(form.pk)


def test_export_gives_questionnaire_json_that_imports_back_as_the_same_form(world: World, login) -> None:
    http = login(world.fran)
    form = default_form(world, "gad7")

    exported = http.get(url("form_export", form))

    assert exported.status_code == 200 and exported["Content-Type"] == "application/fhir+json"
    assert exported["Content-Disposition"] == 'attachment; filename="gad-7-version-1.json"'
    assert "no-store" in exported["Cache-Control"] and exported["X-Content-Type-Options"] == "nosniff"
    assert json.loads(exported.content)["resourceType"] == "Questionnaire"
    assert AuditEvent.objects.get(action="form.exported").details == {"version": 1}

    upload = SimpleUploadedFile("gad7.json", exported.content, content_type="application/json")
    imported = http.post(reverse("staff:form_import"), {"file": upload})

    copy = IntakeForm.objects.exclude(pk=form.pk).get(practice=world.riverside, title="GAD-7")
    assert imported.status_code == 302 and imported["Location"] == url("form_detail", copy)
    assert copy.draft_schema == form.current_version.schema  # type: ignore[union-attr]
    assert schema_from_questionnaire(exported.content)[1] == copy.draft_schema
    assert copy.kind == FormKind.INTAKE and copy.measure == "gad7"
    assert "was imported as a new intake form" in page(http.get(imported["Location"]))


def test_an_unpublished_form_offers_neither_print_nor_export(world: World, login) -> None:
    http = login(world.theo)
    form = dynamic_form(world)
    text = page(http.get(url("form_detail", form)))
    assert "Print blank form" not in text and "Export (FHIR)" not in text
    refused = http.get(url("form_print", form))
    assert refused.status_code == 302
    assert "no published version yet" in page(http.get(refused["Location"]))


def test_importing_junk_is_refused_in_words_and_makes_nothing(world: World, login) -> None:
    http = login(world.ada)
    before = IntakeForm.objects.count()
    junk = SimpleUploadedFile("notes.json", b"these are not the droids", content_type="application/json")

    refused = http.post(reverse("staff:form_import"), {"file": junk})

    assert refused.status_code == 400
    text = page(refused)
    assert "This file is not valid JSON (line 1, column 1)." in text
    assert 'id="id_file_error"' in text
    assert IntakeForm.objects.count() == before
    empty = http.post(reverse("staff:form_import"), {})
    assert empty.status_code == 400 and "Choose the Questionnaire's JSON file." in page(empty)


def test_importing_needs_the_intake_forms_permission(world: World, login) -> None:
    exported = login(world.ada, HttpClient()).get(url("form_export", default_form(world, "gad7"))).content
    upload = SimpleUploadedFile("gad7.json", exported, content_type="application/json")
    refused = login(world.theo, HttpClient()).post(reverse("staff:form_import"), {"file": upload})
    assert refused.status_code == 403
    assert "Only staff who can manage intake forms can change intake forms." in page(refused)
    assert IntakeForm.objects.filter(practice=world.riverside, title="GAD-7").count() == 1


# --- Another practice -----------------------------------------------------------------------------------------


def test_another_practices_form_answers_404_and_is_audited(world: World, login) -> None:
    http = login(world.hana)
    form = default_form(world, "phq9")
    for name in ("form_detail", "form_preview", "form_print", "form_export"):
        before = AuditEvent.objects.count()
        response = http.get(url(name, form))
        assert response.status_code == 404
        assert "Riverside" not in page(response)
        denied = list(AuditEvent.objects.order_by("id")[before:])
        assert [event.action for event in denied] == ["access.denied"]
        assert denied[0].details["object_type"] == "intake.intakeform"
        assert denied[0].details["object_id"] == str(form.pk)
    listed = page(http.get(LIBRARY))
    assert f'data-form="{form.pk}"' not in listed


# --- Queries ----------------------------------------------------------------------------------------------------


def test_the_librarys_queries_do_not_grow_with_its_forms(world: World, login, django_assert_max_num_queries) -> None:
    http = login(world.ada)
    http.get(LIBRARY)
    with django_assert_max_num_queries(6) as few:
        assert http.get(LIBRARY).status_code == 200
    for number in range(40):
        form = dynamic_form(world, title=f"Check-in {number}")
        publish_form(by=world.theo, form=form)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(LIBRARY + "?tab=dynamic")
    assert "Check-in 39" in page(response)


def test_the_builders_queries_do_not_grow_with_its_fields(world: World, login, django_assert_max_num_queries) -> None:
    http = login(world.theo)
    small = dynamic_form(world)
    many = [
        {
            "key": f"q{number}",
            "type": "single_choice",
            "label": f"Question {number}",
            "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            **({"show_when": {"field": f"q{number - 1}", "equals": "a"}} if number else {}),
        }
        for number in range(100)
    ]
    large = dynamic_form(world, many, title="Long form")
    publish_form(by=world.theo, form=large)
    http.get(url("form_detail", small))
    with django_assert_max_num_queries(6) as few:
        assert http.get(url("form_detail", small)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = http.get(url("form_detail", large))
    with django_assert_max_num_queries(len(few.captured_queries)):
        opened = press(http, large, shown, "open-99")
    assert "Question 99" in page(opened) and '<option value="q98=a"' in page(opened)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        assert http.get(url("form_preview", large)).status_code == 200
