# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The contact regulation: how often the VIP and key customers are called"
from proteus import Model

DORMANT_DAYS = 180
# category, name, interval in days, activity type, subject
RULES = [
    # the audit firm's VIP regulation: a contact at least every two weeks
    ("VIP", "VIP: контакт каждые 14 дней", 14, 'call', "Звонок вежливости"),
    # TNT's 6-week call cycle
    ("Ключевой", "Ключевые клиенты: звонок каждые 6 недель", 42, 'call',
        "Плановый звонок клиенту"),
    ]


def setup_contact_rules(demo):
    "Set the dormant days, create the rules and plan the calls due"
    Configuration = Model.get('crm.configuration')
    Rule = Model.get('crm.contact.rule')

    configuration = Configuration(1)
    configuration.dormant_days = DORMANT_DAYS
    configuration.save()

    rules = []
    for category, name, interval, type_, subject in RULES:
        rules.append(Rule(
                name=name, party_category=demo.categories[category],
                interval_days=interval, activity_type=type_,
                subject=subject))
    Rule.save(rules)
    Rule.click(rules, 'generate')
