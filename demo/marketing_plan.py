# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The marketing plan (M7): the investment of the current year per channel,
approved, against the actual cost of the campaigns"""
import datetime as dt
from decimal import Decimal

from proteus import Model

# The investment planned per channel, the channels of the campaigns
LINES = [
    ("выставка", 700_000),
    ("контекстная реклама", 650_000),
    ("семинар", 150_000),
    ("e-mail рассылка", 40_000),
    ("наружная реклама", 200_000),
    ]


def create_marketing_plan(demo):
    "Plan the marketing investment of the year by channel and approve it"
    Medium = Model.get('marketing.medium')
    Plan = Model.get('crm.marketing.plan')
    names = [n for n, _ in LINES]
    mediums = {m.name: m for m in Medium.find([('name', 'in', names)])}
    missing = [Medium(name=n) for n in names if n not in mediums]
    Medium.save(missing)
    mediums.update({m.name: m for m in missing})

    year = demo.today.year
    plan = Plan(name="Маркетинговый план на %d год" % year)
    plan.start_date = dt.date(year, 1, 1)
    plan.end_date = dt.date(year, 12, 31)
    for name, amount in LINES:
        plan.lines.new(medium=mediums[name], planned_amount=Decimal(amount))
    plan.save()
    plan.click('approve')
