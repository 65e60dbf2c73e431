# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import unittest
from decimal import ROUND_HALF_EVEN, Decimal

from trytond.modules.crm_kpi import bonus_rule

D = Decimal


class Rouble:
    "A currency rounding to the kopeck, as currency.currency does"

    def round(self, amount):
        return amount.quantize(D('0.01'), rounding=ROUND_HALF_EVEN)


class BonusRuleTestCase(unittest.TestCase):
    "Test the bonus rule"

    def test_achievement_higher(self):
        "Higher is better: value ÷ target"
        self.assertEqual(
            bonus_rule.achievement(D(120), D(100), 'higher'), D('1.2000'))
        self.assertEqual(
            bonus_rule.achievement(D(0), D(100), 'higher'), D('0.0000'))

    def test_achievement_rounded(self):
        "The achievement is rounded to 0.01 %, halves up"
        self.assertEqual(
            bonus_rule.achievement(D(1), D(3), 'higher'), D('0.3333'))
        self.assertEqual(
            bonus_rule.achievement(D(2), D(3), 'higher'), D('0.6667'))
        self.assertEqual(
            bonus_rule.achievement(D(1), D(16), 'higher'), D('0.0625'))
        self.assertEqual(
            bonus_rule.achievement(D(1), D(32), 'higher'), D('0.0313'))

    def test_achievement_lower(self):
        "Lower is better: 1 + (target − value) ÷ target"
        self.assertEqual(
            bonus_rule.achievement(D(2), D(4), 'lower'), D('1.5000'))
        self.assertEqual(
            bonus_rule.achievement(D(4), D(4), 'lower'), D('1.0000'))
        self.assertEqual(
            bonus_rule.achievement(D(5), D(4), 'lower'), D('0.7500'))
        self.assertEqual(
            bonus_rule.achievement(D(0), D(4), 'lower'), D('2.0000'))

    def test_achievement_lower_not_negative(self):
        "Lower is better never goes below 0"
        self.assertEqual(
            bonus_rule.achievement(D(8), D(4), 'lower'), D('0.0000'))
        self.assertEqual(
            bonus_rule.achievement(D(20), D(4), 'lower'), D('0.0000'))

    def test_achievement_without_value(self):
        "No value, no achievement"
        self.assertIsNone(bonus_rule.achievement(None, D(4), 'higher'))
        self.assertIsNone(bonus_rule.achievement(None, D(4), 'lower'))

    def test_counted_threshold(self):
        "Below the threshold counts 0, at the threshold counts"
        self.assertEqual(
            bonus_rule.counted(D('0.7999'), D('0.8'), D('1.5')), D(0))
        self.assertEqual(
            bonus_rule.counted(D('0.8'), D('0.8'), D('1.5')), D('0.8'))
        self.assertEqual(
            bonus_rule.counted(D('0.8001'), D('0.8'), D('1.5')), D('0.8001'))

    def test_counted_cap(self):
        "Above the cap counts the cap, at the cap counts the cap"
        self.assertEqual(
            bonus_rule.counted(D('1.5'), D('0.8'), D('1.5')), D('1.5'))
        self.assertEqual(
            bonus_rule.counted(D('1.5001'), D('0.8'), D('1.5')), D('1.5'))
        self.assertEqual(
            bonus_rule.counted(D('3'), D('0.8'), D('1.5')), D('1.5'))

    def test_counted_without_cap(self):
        "Without cap the achievement counts whole"
        self.assertEqual(
            bonus_rule.counted(D('3'), D('0.8'), None), D('3'))

    def test_counted_threshold_equals_cap(self):
        "A threshold equal to the cap pays all or nothing"
        self.assertEqual(bonus_rule.counted(D('0.99'), D(1), D(1)), D(0))
        self.assertEqual(bonus_rule.counted(D('1.3'), D(1), D(1)), D(1))

    def test_counted_without_achievement(self):
        "No achievement counts 0, even with a zero threshold"
        self.assertEqual(bonus_rule.counted(None, D(0), D('1.5')), D(0))

    def test_weighted_score(self):
        "The weighted score is rounded like the achievement"
        self.assertEqual(
            bonus_rule.weighted_score(D('0.4'), D('1.2')), D('0.4800'))
        self.assertEqual(
            bonus_rule.weighted_score(D('0.3333'), D('0.3333')),
            D('0.1111'))

    def test_score(self):
        "The score sums the weighted scores"
        self.assertEqual(
            bonus_rule.score([D('0.48'), D('0.3'), D(0)]), D('0.78'))
        self.assertEqual(bonus_rule.score([]), D(0))

    def test_bonus_amount(self):
        "The bonus is the base amount times the score, in kopecks"
        self.assertEqual(
            bonus_rule.bonus_amount(D(50000), D('0.78'), Rouble()),
            D('39000.00'))
        self.assertEqual(
            bonus_rule.bonus_amount(D('333.33'), D('0.3333'), Rouble()),
            D('111.10'))

    def test_whole_rule(self):
        "Revenue over target, terminations under it, rating below threshold"
        lines = [
            # weight, value, target, direction, threshold, cap
            (D('0.5'), D(130000), D(100000), 'higher', D('0.8'), D('1.2')),
            (D('0.3'), D(1), D(2), 'lower', D('0.5'), D('1.5')),
            (D('0.2'), D('3.5'), D('4.5'), 'higher', D('0.8'), None),
            ]
        weighted = []
        for weight, value, target, direction, threshold, cap in lines:
            ratio = bonus_rule.achievement(value, target, direction)
            weighted.append(bonus_rule.weighted_score(
                    weight, bonus_rule.counted(ratio, threshold, cap)))
        # 0.5 × min(1.3, 1.2) + 0.3 × 1.5 + 0.2 × 0 (3.5 ÷ 4.5 = 0.7778)
        self.assertEqual(weighted, [D('0.6000'), D('0.4500'), D('0.0000')])
        score = bonus_rule.score(weighted)
        self.assertEqual(score, D('1.0500'))
        self.assertEqual(
            bonus_rule.bonus_amount(D(40000), score, Rouble()),
            D('42000.00'))
