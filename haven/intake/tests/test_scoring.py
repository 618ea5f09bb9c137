"""PHQ-9 and GAD-7: totals, bands at every boundary, the item 9 alert, and no total for an incomplete form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.intake.scoring import MEASURES, Band, MeasureCode, score


def _answers(code: MeasureCode, points: list[int | None]) -> dict[str, str]:
    items = MEASURES[code].items
    return {key: str(value) for key, value in zip(items, points, strict=True) if value is not None}


def _with_total(code: MeasureCode, total: int, *, item9: int | None = None) -> dict[str, str]:
    """Answers adding up to ``total``: PHQ-9's item 9 set to ``item9`` (0 unless the others can't reach the total)."""
    items = MEASURES[code].items
    points = [0] * len(items)
    remaining = total
    if code == MeasureCode.PHQ9:
        points[8] = item9 if item9 is not None else max(0, total - 24)
        remaining -= points[8]
    for index in range(len(items)):
        if code == MeasureCode.PHQ9 and index == 8:
            continue
        step = min(3, remaining)
        points[index] = step
        remaining -= step
    assert remaining == 0
    return _answers(code, list(points))


PHQ9_BOUNDARIES = [
    (4, Band.MINIMAL),
    (5, Band.MILD),
    (9, Band.MILD),
    (10, Band.MODERATE),
    (14, Band.MODERATE),
    (15, Band.MODERATELY_SEVERE),
    (19, Band.MODERATELY_SEVERE),
    (20, Band.SEVERE),
    (0, Band.MINIMAL),
    (27, Band.SEVERE),
]
GAD7_BOUNDARIES = [
    (0, Band.MINIMAL),
    (4, Band.MINIMAL),
    (5, Band.MILD),
    (9, Band.MILD),
    (10, Band.MODERATE),
    (14, Band.MODERATE),
    (15, Band.SEVERE),
    (21, Band.SEVERE),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_BOUNDARIES)
def test_phq9_band_at_each_boundary(total: int, band: Band) -> None:
    result = score(MeasureCode.PHQ9, _with_total(MeasureCode.PHQ9, total))
    assert (result.total, result.band, result.alert) == (total, band, total > 24)


@pytest.mark.parametrize(("total", "band"), GAD7_BOUNDARIES)
def test_gad7_band_at_each_boundary(total: int, band: Band) -> None:
    result = score(MeasureCode.GAD7, _with_total(MeasureCode.GAD7, total))
    assert (result.total, result.band, result.alert) == (total, band, False)


@pytest.mark.parametrize("total", [1, 4, 12, 25])
def test_phq9_item_9_above_zero_raises_the_alert_at_any_total(total: int) -> None:
    result = score(MeasureCode.PHQ9, _with_total(MeasureCode.PHQ9, total, item9=1))
    assert result.alert
    assert result.total == total


def test_phq9_item_9_raises_the_alert_even_when_the_form_is_incomplete() -> None:
    result = score(MeasureCode.PHQ9, {"phq9_9": "2"})
    assert result.alert
    assert result.total is None


def test_phq9_difficulty_item_is_not_scored() -> None:
    answers = _with_total(MeasureCode.PHQ9, 7) | {"phq9_difficulty": "extremely"}
    assert score(MeasureCode.PHQ9, answers).total == 7


def test_gad7_never_raises_the_alert() -> None:
    assert not score(MeasureCode.GAD7, _with_total(MeasureCode.GAD7, 21)).alert


def test_an_answer_outside_the_scale_counts_as_unanswered() -> None:
    answers = _with_total(MeasureCode.GAD7, 6) | {"gad7_3": "7"}
    result = score(MeasureCode.GAD7, answers)
    assert result.total is None
    assert result.answered == 6


def _band_from_table(code: MeasureCode, total: int) -> Band:
    if code == MeasureCode.PHQ9:
        table = [(0, 4, Band.MINIMAL), (5, 9, Band.MILD), (10, 14, Band.MODERATE), (15, 19, Band.MODERATELY_SEVERE)]
        table.append((20, 27, Band.SEVERE))
    else:
        table = [(0, 4, Band.MINIMAL), (5, 9, Band.MILD), (10, 14, Band.MODERATE), (15, 21, Band.SEVERE)]
    return next(band for low, high, band in table if low <= total <= high)


@given(
    code=st.sampled_from(list(MeasureCode)),
    data=st.data(),
)
def test_every_answer_vector_scores_its_sum_or_nothing(code: MeasureCode, data: st.DataObject) -> None:
    size = len(MEASURES[code].items)
    points = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=size, max_size=size))
    result = score(code, _answers(code, points))
    if None in points:
        assert (result.total, result.band) == (None, None)
        assert result.answered == size - points.count(None)
    else:
        total = sum(p for p in points if p is not None)
        assert result.total == total
        assert result.band == _band_from_table(code, total)
    assert result.alert == (code == MeasureCode.PHQ9 and (points[8] or 0) > 0)
