"""Scores over time, drawn: a measure's totals as an SVG line chart over its severity bands, with the same
numbers as a table for screen readers. Plain values for the chart's template (``staff/intake/_trend.html``)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.intake.scoring import BANDS, Measure
from haven.intake.selectors import Trend

type FormUrl = Callable[[int], str]

# The chart's drawing area, in the SVG's own units: it scales to its column's width, about one unit a pixel on a
# phone. The bands' names stand to the right of the plot, clear of the points.
CHART_WIDTH, CHART_HEIGHT = 340, 222
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 26, 262, 12, 190
BAND_LABEL_GAP = 6
POINT_PADDING = 16  # from the plot's edges to the first and last points
MAX_DATE_LABELS = 5
BAND_LABEL_CHARACTERS = 10  # a longer name goes on two lines where its band is tall enough
LINE_HEIGHT = 12
MAX_VALUE_LABELS = 12
BAND_FILLS = {  # calm tints, lightest for the least severe
    "minimal": "#e8f3ec",
    "mild": "#f3f4e2",
    "moderate": "#fbf0dc",
    "moderately_severe": "#fbe6da",
    "severe": "#f7dfdf",
}


def _svg(value: float) -> str:
    """A coordinate as SVG reads it, whatever the page's language (never "12,5")."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class ChartBand:
    label: str
    top: float
    height: float
    fill: str

    @property
    def svg_top(self) -> str:
        return _svg(self.top)

    @property
    def svg_height(self) -> str:
        return _svg(self.height)

    @property
    def label_lines(self) -> list[tuple[str, str]]:
        """The band's name as (line, its y), centred on the band: on two lines when long and there is room."""
        words = self.label.split(" ", 1)
        lines = words if len(self.label) > BAND_LABEL_CHARACTERS and len(words) == 2 else [self.label]
        if len(lines) * LINE_HEIGHT > self.height:
            lines = [self.label]
        first = self.top + self.height / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        return [(line, _svg(first + index * LINE_HEIGHT)) for index, line in enumerate(lines)]


@dataclass(frozen=True)
class ChartTick:
    value: int
    y: float

    @property
    def svg_y(self) -> str:
        return _svg(self.y)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    total: int
    day: str
    show_value: bool
    show_day: bool
    latest: bool

    @property
    def svg_x(self) -> str:
        return _svg(self.x)

    @property
    def svg_y(self) -> str:
        return _svg(self.y)


@dataclass(frozen=True)
class TrendRow:
    """One response as the table shows it."""

    day: str
    total: int | None
    band: str
    answers_url: str


@dataclass(frozen=True)
class TrendChart:
    """A measure's totals over time, drawn as an SVG line chart, with the same numbers as a table."""

    key: str
    measure: Measure
    bands: tuple[ChartBand, ...]
    ticks: tuple[ChartTick, ...]
    points: tuple[ChartPoint, ...]
    rows: tuple[TrendRow, ...]
    latest_words: str
    description: str
    incomplete: int

    width = CHART_WIDTH
    height = CHART_HEIGHT
    plot_left = PLOT_LEFT
    plot_right = PLOT_RIGHT
    plot_top = PLOT_TOP
    plot_bottom = PLOT_BOTTOM

    @property
    def band_width(self) -> int:
        """The bands' shading runs under their names too."""
        return CHART_WIDTH - PLOT_LEFT

    @property
    def band_label_x(self) -> int:
        return PLOT_RIGHT + BAND_LABEL_GAP

    @property
    def line(self) -> str:
        return " ".join(f"{_svg(point.x)},{_svg(point.y)}" for point in self.points)

    @property
    def axis_label_x(self) -> int:
        return PLOT_LEFT - 6

    @property
    def day_label_y(self) -> int:
        return PLOT_BOTTOM + 18


def local_day(moment: datetime.datetime, with_year: bool) -> str:
    return format_date(timezone.localtime(moment), "j M Y" if with_year else "j M")


def score_words(total: int, measure: Measure, band: str) -> str:
    """ "12 of 27 — Moderate"."""
    words = _("%(total)d of %(maximum)d") % {"total": total, "maximum": measure.maximum}
    return f"{words} — {band}" if band else words


def trend_chart(trend: Trend, answers_url: FormUrl) -> TrendChart:
    """The chart of one measure: its bands shaded, its totals as points joined in date order, dates below."""
    measure = trend.measure
    scale = (PLOT_BOTTOM - PLOT_TOP) / measure.maximum

    def y_of(value: float) -> float:
        return PLOT_BOTTOM - max(0.0, min(value, measure.maximum)) * scale

    thresholds = sorted(BANDS[measure.code])  # (lowest total, band), least severe first
    bands = []
    for index, (lowest, band) in enumerate(thresholds):
        upper = thresholds[index + 1][0] - 0.5 if index + 1 < len(thresholds) else measure.maximum
        bottom = lowest - 0.5 if lowest else 0
        bands.append(ChartBand(band.label, y_of(upper), y_of(bottom) - y_of(upper), BAND_FILLS[band.value]))
    ticks = tuple(ChartTick(value, y_of(value)) for value in [0, *(lowest for lowest, _ in thresholds[1:])])
    ticks += (ChartTick(measure.maximum, y_of(measure.maximum)),)

    scored = trend.scored
    years = {timezone.localtime(point.submitted_at).year for point in trend.points}
    with_year = len(years) > 1 or years != {timezone.localdate().year}
    count = len(scored)
    step = math.ceil(count / MAX_DATE_LABELS) if count else 1
    span = PLOT_RIGHT - PLOT_LEFT - 2 * POINT_PADDING
    points = []
    for index, point in enumerate(scored):
        assert point.total is not None
        x = (PLOT_LEFT + PLOT_RIGHT) / 2 if count == 1 else PLOT_LEFT + POINT_PADDING + index * span / (count - 1)
        last = index == count - 1
        points.append(
            ChartPoint(
                x=x,
                y=y_of(point.total),
                total=point.total,
                day=local_day(point.submitted_at, with_year),
                show_value=count <= MAX_VALUE_LABELS or last,
                show_day=last or (index % step == 0 and count - 1 - index >= step / 2),
                latest=last,
            )
        )
    rows = tuple(
        TrendRow(
            day=local_day(point.submitted_at, True),
            total=point.total,
            band=point.band.label if point.band else "",
            answers_url=answers_url(point.assignment_id),
        )
        for point in trend.points
    )
    latest = trend.latest
    if latest is not None and latest.total is not None:
        latest_words = score_words(latest.total, measure, latest.band.label if latest.band else "")
        day = local_day(latest.submitted_at, True)
        description = ngettext(
            "%(count)d response with a total. The latest, on %(day)s: %(score)s.",
            "%(count)d responses with a total, from %(first)s to %(day)s. The latest: %(score)s.",
            count,
        ) % {"count": count, "first": local_day(scored[0].submitted_at, True), "day": day, "score": latest_words}
    else:
        latest_words = ""
        description = _("No complete response yet: an incomplete response has no total.")
    return TrendChart(
        key=measure.code.value,
        measure=measure,
        bands=tuple(bands),
        ticks=ticks,
        points=tuple(points),
        rows=rows,
        latest_words=latest_words,
        description=description,
        incomplete=len(trend.points) - count,
    )
