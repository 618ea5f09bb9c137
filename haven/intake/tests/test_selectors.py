"""The chart's reads of intake forms: scoped by the policy, one query each however much a client has."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from haven.intake import actions
from haven.intake.models import AssignmentStatus, FormAssignment, FormKind, IntakeForm
from haven.intake.scoring import Band, MeasureCode
from haven.intake.selectors import (
    alert_of,
    answers_page,
    chart_intake_summary,
    packets_of,
    record_items,
    score_summary,
    score_trends,
    sendable_forms,
    sent_forms,
)
from haven.intake.tests.test_actions import form, gia, phq9
from haven.practices.viewers import StaffViewer
from tests.personas import World

pytestmark = pytest.mark.django_db


def send(world: World, *keys: str, as_packet: bool = True) -> list[FormAssignment]:
    return actions.send_forms(
        by=world.ada,
        client=world.max,
        forms=[form(world, key) for key in keys],
        recipient_key=f"contact-{world.gia.pk}",
        as_packet=as_packet,
    )


def scored(world: World, points: list[int], *, days_ago: int) -> FormAssignment:
    (assignment,) = send(world, "phq9", as_packet=False)
    actions.submit(viewer=gia(world), assignment=assignment, raw=phq9(points))
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    FormAssignment.objects.filter(pk=assignment.pk).update(submitted_at=moment)
    return assignment


def test_sent_forms_come_grouped_by_packet_newest_first_in_the_packets_order(world: World) -> None:
    older = send(world, "demographics", "gad7")
    FormAssignment.objects.filter(pk__in=[a.pk for a in older]).update(
        sent_at=timezone.now() - datetime.timedelta(days=3)
    )
    (single,) = send(world, "phq9", as_packet=False)
    newer = send(world, "consent_for_treatment", "privacy_notice", "financial_policy")
    actions.cancel(by=world.ada, assignment=newer[1])
    groups = packets_of(sent_forms(StaffViewer(world.ada), world.max))
    assert [[a.pk for a in group.assignments] for group in groups] == [
        [a.pk for a in newer],
        [single.pk],
        [a.pk for a in older],
    ]
    assert [group.packet is not None for group in groups] == [True, False, True]
    assert (groups[0].complete, groups[0].total) == (0, 2)  # the withdrawn form is not counted
    assert groups[0].assignments[0].sender_name == "Ada Admin"  # type: ignore[attr-defined]


def test_forms_sent_one_by_one_between_packets_are_listed_together(world: World) -> None:
    packet = send(world, "demographics")
    first = send(world, "gad7", as_packet=False)[0]
    second = send(world, "phq9", as_packet=False)[0]
    moments = {packet[0].pk: 3, first.pk: 2, second.pk: 1}
    for pk, days in moments.items():
        FormAssignment.objects.filter(pk=pk).update(sent_at=timezone.now() - datetime.timedelta(days=days))
    groups = packets_of(sent_forms(StaffViewer(world.ada), world.max))
    assert [([a.pk for a in group.assignments], group.packet is None) for group in groups] == [
        ([second.pk, first.pk], True),
        ([packet[0].pk], False),
    ]


def test_sent_forms_are_one_query_and_the_other_practice_sees_none(
    world: World, django_assert_num_queries: Any
) -> None:
    send(world, "demographics", "gad7", "phq9")
    with django_assert_num_queries(1):
        listed = sent_forms(StaffViewer(world.ada), world.max)
        assert [a.version.title for a in listed]
        assert all(a.packet is not None for a in listed)
    assert sent_forms(StaffViewer(world.hana), world.max) == []


def test_score_trends_give_each_measures_responses_in_date_order_with_no_total_for_an_incomplete_one(
    world: World, django_assert_num_queries: Any
) -> None:
    scored(world, [3, 3, 3, 3, 3, 0, 0, 0, 0], days_ago=40)
    scored(world, [1, 1, 1, 1, 1, 1, 1, 1, 1], days_ago=20)
    incomplete = scored(world, [1, 0, 0, 0, 0, 0, 0, 0, 0], days_ago=10)
    FormAssignment.objects.filter(pk=incomplete.pk).update(total=None, band="")
    (gad,) = send(world, "gad7")
    actions.submit(viewer=gia(world), assignment=gad, raw={f"gad7_{n}": "2" for n in range(1, 8)})
    (open_phq,) = send(world, "phq9")  # not submitted: no point
    with django_assert_num_queries(1):
        trends = score_trends(StaffViewer(world.ada), world.max)
    assert [trend.measure.code for trend in trends] == [MeasureCode.PHQ9, MeasureCode.GAD7]
    phq = trends[0]
    assert [point.total for point in phq.points] == [15, 9, None]
    assert [point.band for point in phq.points] == [Band.MODERATELY_SEVERE, Band.MILD, None]
    assert [point.total for point in phq.scored] == [15, 9]
    assert phq.latest is not None and phq.latest.total == 9
    assert open_phq.pk not in [point.assignment_id for point in phq.points]
    assert [point.total for point in trends[1].points] == [14]
    assert score_trends(StaffViewer(world.hana), world.max) == []


def test_a_form_sent_back_has_no_point_until_it_is_submitted_again(world: World) -> None:
    assignment = scored(world, [1, 1, 1, 1, 1, 1, 1, 1, 0], days_ago=1)
    actions.send_back(by=world.ada, assignment=assignment, note="Please check question 4.")
    assert score_trends(StaffViewer(world.ada), world.max) == []


def test_the_chart_summary_counts_pending_forms_names_the_alert_and_gives_each_measures_latest_total(
    world: World, django_assert_num_queries: Any
) -> None:
    viewer = StaffViewer(world.ada)
    with django_assert_num_queries(1):
        empty = chart_intake_summary(viewer, world.max)
    assert empty.is_empty
    scored(world, [3, 3, 3, 3, 3, 0, 0, 0, 0], days_ago=30)
    flagged = scored(world, [1, 1, 1, 1, 1, 1, 1, 0, 1], days_ago=5)
    acknowledged = scored(world, [0, 0, 0, 0, 0, 0, 0, 0, 0], days_ago=40)
    actions.acknowledge(by=world.ada, assignment=acknowledged)
    (gad,) = send(world, "gad7")
    actions.submit(viewer=gia(world), assignment=gad, raw={f"gad7_{n}": "1" for n in range(1, 8)})
    send(world, "demographics")  # open: neither pending nor scored
    with django_assert_num_queries(1):
        summary = chart_intake_summary(viewer, world.max)
    assert summary.pending == 3
    assert (summary.alerts, summary.alert_assignment_id) == (1, flagged.pk)
    assert [(s.measure.name, s.total, s.band) for s in summary.latest] == [
        ("PHQ-9", 8, Band.MILD),
        ("GAD-7", 7, Band.MILD),
    ]
    alert = alert_of(viewer, flagged)
    assert alert is not None
    actions.review_alert(by=world.theo, alert=alert)
    after = chart_intake_summary(viewer, world.max)
    assert (after.alerts, after.alert_assignment_id) == (0, None)
    assert chart_intake_summary(StaffViewer(world.hana), world.max).is_empty


def test_sendable_forms_are_the_published_intake_forms_not_archived(world: World) -> None:
    actions.archive_form(by=world.ada, form=form(world, "gad7"))
    draft = actions.create_form(by=world.ada, kind=FormKind.INTAKE, title="Draft only")
    dynamic = actions.create_form(
        by=world.ada,
        kind=FormKind.DYNAMIC,
        title="A dynamic form",
        fields=[{"key": "mood", "type": "short_text", "label": "Mood"}],
    )
    actions.publish_form(by=world.ada, form=dynamic)
    titles = [f.title for f in sendable_forms(StaffViewer(world.ada))]
    assert "GAD-7" not in titles and draft.title not in titles and dynamic.title not in titles
    assert "PHQ-9" in titles and titles == sorted(titles)
    assert sendable_forms(StaffViewer(world.hana)) == list(
        IntakeForm.objects.filter(practice=world.hilltop).order_by("title", "pk")
    )


def test_the_answers_page_reads_names_alert_and_filed_pdf_in_one_query(
    world: World, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    flagged = scored(world, [0, 0, 0, 0, 0, 0, 0, 0, 2], days_ago=0)
    viewer = StaffViewer(world.ada)
    with django_assert_num_queries(1):
        extras = answers_page(viewer, flagged)
    assert (extras.sender_name, extras.alert_open, extras.filed_version_id) == ("Ada Admin", True, None)
    with django_capture_on_commit_callbacks(execute=True):
        actions.acknowledge(by=world.ada, assignment=flagged)
    extras = answers_page(viewer, flagged)
    assert extras.acknowledged_by_name == "Ada Admin" and extras.filed_version_id is not None


def test_record_items_show_the_versions_questions_with_the_chosen_words_and_the_score(world: World) -> None:
    assignment = scored(world, [3, 0, 0, 0, 0, 0, 0, 0, 1], days_ago=0)
    assignment = FormAssignment.objects.select_related("version", "practice").get(pk=assignment.pk)
    items = record_items(assignment)
    questions = [item for item in items if item.kind == "question"]
    assert questions[0].text == "Nearly every day" and questions[0].points == 3
    assert questions[8].text == "Several days"
    summary = score_summary(assignment)
    assert summary is not None and (summary.total, summary.band, summary.alert) == (4, "Minimal", True)
    assert assignment.status == AssignmentStatus.SUBMITTED
