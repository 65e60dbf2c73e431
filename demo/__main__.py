# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Fill a CRM database with the demo data of a Russian company"
import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter

from proteus import config as proteus_config
from tqdm import tqdm

from trytond import config as trytond_config

from . import (
    activity, bulk, commissioning, company, contact_rules, invoice, kpi_bonus,
    leads, marketing_campaigns, marketing_competitors, marketing_events,
    marketing_loyalty, marketing_mailings, marketing_plan, marketing_segments,
    marketing_web_lead, notifications, party, payments, portal, product, sale,
    sales_plan, sales_process, service_contracts, service_flow,
    service_installed, service_kb, service_lost, service_portal,
    service_requests)
from .tools import BULK_FROM, Demo

DEFAULT_PASSWORD = 'crm-demo-2026'
MODULES = ['crm_sales', 'crm_marketing', 'crm_service', 'crm_kpi']


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog='python -m demo', description=__doc__)
    parser.add_argument('-c', '--config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', required=True,
        help="the database, where the CRM modules are activated")
    parser.add_argument('--seed', type=int, default=42,
        help="the seed of the random data (default: %(default)s)")
    parser.add_argument('--scale', type=float, default=1.0,
        help="the factor of the number of records (default: %(default)s)")
    parser.add_argument('--bulk-from', type=float, default=BULK_FROM,
        help="the scale created through Tryton; above it, the customers "
        "and the invoices are copied in SQL (default: %(default)s)")
    parser.add_argument('--today', type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="the date the data is relative to (default: today)")
    parser.add_argument('--password', default=DEFAULT_PASSWORD,
        help="the password of admin and the salespeople "
        "(default: %(default)s)")
    options = parser.parse_args(argv)
    if options.scale <= 0 or options.bulk_from <= 0:
        parser.error("the scales must be positive")
    return options


def phases():
    "Return the description and the functions of each phase, in order"
    return [
        ("language and currency", [
                company.setup_language, company.setup_currency,
                company.setup_country]),
        ("company", [company.setup_company]),
        ("accounting", [company.setup_accounting]),
        ("salespeople", [company.setup_employees]),
        ("products", [product.setup_products, product.setup_stock]),
        ("customers", [party.setup_categories, party.setup_customers]),
        # before the invoices: their posting creates the commissions
        ("dealers and representatives", [
                kpi_bonus.setup_commission_agents]),
        ("notifications off", [notifications.pause_notifications]),
        ("opportunities", [
                leads.setup_lost_reasons, sale.create_opportunities]),
        ("sales", [sale.create_sales, sale.process_sales]),
        ("invoices", [invoice.post_invoices]),
        ("shipments", [sale.ship_sales]),
        ("payments", [invoice.pay_invoices]),
        ("payment provider", [payments.setup_payment_provider]),
        # above the demo's size: before the phases that read every customer
        ("data at scale", [
                bulk.add_salespeople, bulk.add_customers,
                bulk.add_invoices]),
        ("closing", [sale.close_opportunities]),
        ("commissioning", [commissioning.create_commissioning_steps]),
        ("activities", [activity.create_activities]),
        ("sales plans", [sales_plan.create_sales_plans]),
        ("sales processes", [sales_process.create_sales_processes]),
        ("contact rules", [contact_rules.setup_contact_rules]),
        ("leads", [
                leads.create_competitors, leads.create_participants,
                leads.setup_assignment_rules, leads.create_leads,
                leads.create_duplicates]),
        ("portal", [portal.create_portal_users]),
        ("marketing segments", [
                marketing_segments.classify_customers,
                marketing_segments.create_segments]),
        ("marketing campaigns", [marketing_campaigns.create_campaigns]),
        ("marketing plan", [marketing_plan.create_marketing_plan]),
        ("competitors", [marketing_competitors.create_competitors]),
        ("loyalty", [
                marketing_loyalty.setup_loyalty_program,
                marketing_loyalty.set_birthdays,
                marketing_loyalty.issue_cards,
                marketing_loyalty.create_promotion]),
        ("mailings", [marketing_mailings.create_mailings]),
        ("web form", [
                marketing_web_lead.setup_web_form,
                marketing_web_lead.create_web_leads]),
        ("marketing events", [marketing_events.create_events]),
        ("service contracts", [
                service_contracts.setup_service_levels,
                service_contracts.setup_termination_reasons,
                service_contracts.create_contracts]),
        # after the contracts, which cover the units of their customers
        ("installed base", [
                service_installed.setup_serviceable_products,
                service_installed.create_installed_base]),
        # before the requests, which reuse its categories
        ("knowledge base", [
                service_kb.setup_categories, service_kb.create_articles]),
        # after the installed base and the contracts, which they are about
        ("service requests", [
                service_requests.setup_service_agents,
                service_requests.create_requests]),
        # after the other service phases: their contracts, levels and agents
        ("service portal", [service_portal.create_portal_service]),
        # after the service requests, which it rates, follows up, escalates
        ("service follow-up", [
                service_flow.setup_service_manager,
                service_flow.setup_inbound_email,
                service_flow.plan_follow_ups,
                service_flow.rate_requests,
                service_flow.escalate_breaches,
                service_flow.create_complaints]),
        # after the other service phases: the requests give service costs
        ("lost customers", [
                service_lost.setup_service_costs,
                service_lost.setup_lost_reasons,
                service_lost.mark_lost_customers,
                service_lost.detect_lost_customers]),
        # keep last: the customers are e-mailed from now on
        # after every other phase: the KPIs read sales, service and activities
        ("KPI and bonuses", [
                kpi_bonus.setup_hr, kpi_bonus.create_bonus_scheme,
                kpi_bonus.refresh_progress]),
        ("notifications on", [notifications.resume_notifications]),
        ]


def connect(options):
    "Return the proteus configuration of the database"
    # trytond reads the environment when it loads its configuration: load it
    # before proteus sets TRYTOND_DATABASE_URI to the bare database name
    trytond_config.update_etc(options.config)
    return proteus_config.set_trytond(
        options.database, config_file=options.config)


def missing_modules(config):
    Module = config.get_proxy('ir.module')
    ids = Module.search([
            ('name', 'in', MODULES),
            ('state', '=', 'activated'),
            ], 0, None, None, config.context)
    activated = {m['name'] for m in Module.read(ids, ['name'], config.context)}
    return [m for m in MODULES if m not in activated]


def summary(demo):
    "Return the lines giving the number of records per model and state"
    lines = []
    for model in [
            'company.employee', 'res.user', 'party.party', 'product.product',
            'crm.sales.channel', 'crm.activity', 'sale.opportunity',
            'sale.sale', 'account.invoice', 'stock.shipment.out',
            'crm.sales.plan', 'crm.sales.process', 'crm.contact.rule',
            'crm.commissioning.step', 'crm.lead.assignment.rule',
            'crm.segment', 'marketing.campaign', 'crm.event',
            'crm.event.invitation', 'marketing.email', 'crm.loyalty.card',
            'crm.competitor', 'crm.marketing.plan', 'crm.service.level',
            'sale.subscription', 'crm.installed.product',
            'crm.service.request', 'crm.kb.article', 'commission.agent',
            'commission', 'crm.bonus.scheme', 'crm.bonus.run',
            'crm.kpi.progress']:
        ids = demo.search(model, [])
        line = "%-24s %6d" % (model, len(ids))
        if model in {'crm.activity', 'sale.opportunity', 'sale.sale',
                'account.invoice', 'stock.shipment.out', 'crm.sales.plan',
                'crm.commissioning.step', 'marketing.campaign', 'crm.event',
                'crm.event.invitation', 'sale.subscription',
                'crm.installed.product', 'crm.service.request',
                'crm.kb.article', 'crm.bonus.run'}:
            states = Counter(r['state']
                for r in demo.read(model, ids, ['state']))
            line += "  (%s)" % ", ".join(
                "%s: %d" % s for s in sorted(states.items()))
        lines.append(line)
    overdue = demo.search('account.move.line', [
            ('account.type.receivable', '=', True),
            ('reconciliation', '=', None),
            ('maturity_date', '<', demo.today),
            ])
    lines.append("%-24s %6d" % ("overdue invoices", len(overdue)))
    return lines


def main(argv=None):
    options = parse_arguments(argv)
    started = time.monotonic()
    config = connect(options)
    # The documents are dated in the past and some are overdue on purpose
    config.skip_warning = True
    missing = missing_modules(config)
    if missing:
        sys.stderr.write("Activate first the modules: %s\n"
            % ", ".join(missing))
        return 1
    demo_company, other = company.find_company()
    if demo_company:
        print("The demo data is already in the database %s."
            % options.database)
        return 0
    if other:
        sys.stderr.write("The database %s already has a company: "
            "the demo needs a database without company.\n" % options.database)
        return 1

    demo = Demo(config, options.seed, options.scale, options.today,
        options.password, options.bulk_from)
    with tqdm(phases(), desc="demo", unit="phase") as progress:
        for description, functions in progress:
            progress.set_postfix_str(description)
            for function in functions:
                function(demo)

    print("Demo data created in %.0f s:" % (time.monotonic() - started))
    for line in summary(demo):
        print("  " + line)
    print("Login: admin / %s" % options.password)
    for _, _, _, login in company.SALESPEOPLE:
        print("Login: %s / %s" % (login, options.password))
    for _, _, _, login, _ in kpi_bonus.HR:
        print("Login (HR): %s / %s" % (login, options.password))
    for email, name in demo.portal_users:
        print("Portal (/%s/portal/): %s / %s (%s)"
            % (options.database, email, options.password, name))
    print("Payment provider %r: notifications to /%s/crm/payment/%s "
        "signed with the secret %r" % (
            payments.PROVIDER_NAME, options.database, payments.PROVIDER_CODE,
            payments.PROVIDER_SECRET))
    return 0


if __name__ == '__main__':
    sys.exit(main())
