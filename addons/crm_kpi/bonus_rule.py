# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The bonus rule (K3), as pure functions of Decimals

For each KPI line of a bonus scheme and each employee:

- achievement = value ÷ target when higher is better,
  1 + (target − value) ÷ target, not below 0, when lower is better;
  a KPI without a value (a ratio without a basis, such as no rating at all)
  has no achievement;
- the counted achievement is 0 below the threshold (or without achievement),
  the cap above the cap (no cap when it is empty), else the achievement;
- the weighted score is weight × counted achievement;
- score = Σ weighted scores of the employee's KPIs;
- bonus amount = base amount × score, rounded to the currency;
- final amount = bonus amount + adjustment (an adjustment needs a reason).

Weights, thresholds, caps, achievements and scores are fractions: 0.4 reads
40 %. Achievements and weighted scores are rounded to RATIO_DIGITS decimals
(0.01 %, halves up): the threshold and the cap apply to the achievement
shown, and the score is the exact sum of the weighted scores shown.
"""
from decimal import ROUND_HALF_UP, Decimal

RATIO_DIGITS = 4
_RATIO_EXP = Decimal(1).scaleb(-RATIO_DIGITS)


def round_ratio(ratio):
    "Round a fraction to RATIO_DIGITS decimals, halves away from zero"
    return ratio.quantize(_RATIO_EXP, rounding=ROUND_HALF_UP)


def achievement(value, target, direction):
    """Return how much of the target the value achieves, as a fraction,
    or None without a value"""
    if value is None:
        return None
    assert target > 0
    if direction == 'lower':
        ratio = max(1 + (target - value) / target, Decimal(0))
    else:
        ratio = value / target
    return round_ratio(ratio)


def counted(achievement, threshold, cap=None):
    "Return the achievement that counts for the bonus"
    if achievement is None or achievement < threshold:
        return Decimal(0)
    if cap is not None and achievement > cap:
        return cap
    return achievement


def weighted_score(weight, counted_achievement):
    "Return the part of the score one KPI brings"
    return round_ratio(weight * counted_achievement)


def score(weighted_scores):
    "Return the employee's score: the sum of the KPIs' weighted scores"
    return sum(weighted_scores, Decimal(0))


def bonus_amount(base_amount, score, currency):
    "Return the bonus the score earns, rounded to the currency"
    return currency.round(base_amount * score)
