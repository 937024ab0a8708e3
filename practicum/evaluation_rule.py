"""The competency evaluation's pass rule, worked out the same way before and at signing.

The rule is data (``PracticumSettings``: the lowest rating allowed on any item and the
minimum mean). ``preview`` gives what the supervising expert sees on the confirmation
page before the irreversible signing; ``services.sign_evaluation`` records the result
of ``evaluation_result`` with the same inputs, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def evaluation_result(ratings: list[int], *, min_item: int, min_mean: Decimal):
    """(mean, passed) under the pass rule: no item below ``min_item``, mean ≥ ``min_mean``."""
    mean = (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return mean, min(ratings) >= min_item and mean >= min_mean


@dataclass(frozen=True)
class RatedItem:
    name: str
    rating: int | None
    below_rule: bool


@dataclass(frozen=True)
class EvaluationPreview:
    """What signing would record now: the rule, every rating, the mean and the result.

    ``passed`` is None while some competency is not rated (the evaluation cannot be
    signed then).
    """

    min_item: int
    min_mean: Decimal
    items: list[RatedItem] = field(default_factory=list)
    mean: Decimal | None = None
    lowest: int | None = None
    passed: bool | None = None

    @property
    def rated(self) -> int:
        return sum(1 for item in self.items if item.rating is not None)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        return bool(self.items) and self.rated == self.total

    @property
    def items_below(self) -> list[RatedItem]:
        return [item for item in self.items if item.below_rule]

    @property
    def mean_too_low(self) -> bool:
        return self.mean is not None and self.mean < self.min_mean


def preview(
    ratings: list[tuple[str, int | None]], *, min_item: int, min_mean: Decimal
) -> EvaluationPreview:
    """The preview of ``ratings`` (``[(competency name, rating or None), …]``) under the rule."""
    items = [
        RatedItem(name, rating, rating is not None and rating < min_item)
        for name, rating in ratings
    ]
    values = [item.rating for item in items if item.rating is not None]
    mean = passed = lowest = None
    if values:
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lowest = min(values)
    if items and len(values) == len(items):
        mean, passed = evaluation_result(values, min_item=min_item, min_mean=min_mean)
    return EvaluationPreview(
        min_item=min_item, min_mean=min_mean, items=items, mean=mean, lowest=lowest, passed=passed
    )
