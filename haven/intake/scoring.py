"""Scored measures: PHQ-9 and GAD-7, their totals, severity bands and the PHQ-9 item 9 alert.

A total is the sum of every scored item. One unanswered item means no total at all ("incomplete"),
never a silently lower score. PHQ-9's tenth item (how difficult the problems made things) is asked but
not scored. Any answer above 0 on PHQ-9 item 9 (thoughts of being better off dead or of self-harm)
raises an alert whatever the total, even when the form is otherwise incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["BANDS", "MEASURES", "Band", "Measure", "MeasureCode", "Score", "score"]


class MeasureCode(StrEnum):
    PHQ9 = "phq9"
    GAD7 = "gad7"


class Band(StrEnum):
    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return str(BAND_LABELS[self])


BAND_LABELS = {
    Band.MINIMAL: pgettext_lazy("severity", "Minimal"),
    Band.MILD: pgettext_lazy("severity", "Mild"),
    Band.MODERATE: pgettext_lazy("severity", "Moderate"),
    Band.MODERATELY_SEVERE: pgettext_lazy("severity", "Moderately severe"),
    Band.SEVERE: pgettext_lazy("severity", "Severe"),
}

# (lowest total, band), highest first.
BANDS: dict[MeasureCode, tuple[tuple[int, Band], ...]] = {
    MeasureCode.PHQ9: (
        (20, Band.SEVERE),
        (15, Band.MODERATELY_SEVERE),
        (10, Band.MODERATE),
        (5, Band.MILD),
        (0, Band.MINIMAL),
    ),
    MeasureCode.GAD7: ((15, Band.SEVERE), (10, Band.MODERATE), (5, Band.MILD), (0, Band.MINIMAL)),
}

# The four answers of every PHQ and GAD item, and their points.
FREQUENCY = (
    ("0", _("Not at all")),
    ("1", _("Several days")),
    ("2", _("More than half the days")),
    ("3", _("Nearly every day")),
)


@dataclass(frozen=True)
class Measure:
    code: MeasureCode
    name: str
    items: tuple[str, ...]  # the scored items' field keys, in order
    loinc_panel: str
    loinc_total: str
    alert_item: str = ""  # an item whose answer above 0 raises an alert

    @property
    def maximum(self) -> int:
        return 3 * len(self.items)

    def band(self, total: int) -> Band:
        return next(band for lowest, band in BANDS[self.code] if total >= lowest)


MEASURES: dict[MeasureCode, Measure] = {
    MeasureCode.PHQ9: Measure(
        code=MeasureCode.PHQ9,
        name="PHQ-9",
        items=tuple(f"phq9_{n}" for n in range(1, 10)),
        loinc_panel="44249-1",
        loinc_total="44261-6",
        alert_item="phq9_9",
    ),
    MeasureCode.GAD7: Measure(
        code=MeasureCode.GAD7,
        name="GAD-7",
        items=tuple(f"gad7_{n}" for n in range(1, 8)),
        loinc_panel="69737-5",
        loinc_total="70274-6",
    ),
}


@dataclass(frozen=True)
class Score:
    measure: MeasureCode
    total: int | None  # None: incomplete
    band: Band | None
    answered: int
    alert: bool  # PHQ-9 item 9 above 0

    @property
    def complete(self) -> bool:
        return self.total is not None


def _points(value: Any) -> int | None:
    if isinstance(value, str) and value in {"0", "1", "2", "3"}:
        return int(value)
    return None


def score(code: MeasureCode | str, answers: Mapping[str, Any]) -> Score:
    """The measure's total and band for these answers, or an incomplete score with no total."""
    measure = MEASURES[MeasureCode(code)]
    points = [_points(answers.get(item)) for item in measure.items]
    answered = [p for p in points if p is not None]
    alert = bool(measure.alert_item) and (_points(answers.get(measure.alert_item)) or 0) > 0
    if len(answered) != len(points):
        return Score(measure.code, None, None, len(answered), alert)
    total = sum(answered)
    return Score(measure.code, total, measure.band(total), len(answered), alert)
