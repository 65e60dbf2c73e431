# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's service contracts and installed equipment on the portal
(V6): the contracts with their lines and the equipment they cover, the
equipment with its warranty"""
from trytond.modules.crm_sales.portal import add_menu_entry
from trytond.modules.crm_sales.portal.pagination import Page

from .portal_common import render, service_route

# The contracts the customer sees: service contracts sent to them, not the
# drafts being prepared nor the cancelled ones
VISIBLE_STATES = ['quotation', 'running', 'closed']
VISIBLE = [
    ('contract_kind', '!=', None),
    ('state', 'in', VISIBLE_STATES),
    ]
CONTRACT_ORDER = [('start_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
# The equipment the customer has: not what was taken away
INSTALLED = [('state', '=', 'installed')]
EQUIPMENT_ORDER = [
    ('installation_date', 'DESC NULLS FIRST'), ('id', 'DESC')]

add_menu_entry('service_contracts', 'crm_service.msg_portal_service_contracts',
    'contracts', 40, model='crm.service.level')
add_menu_entry('service_equipment', 'crm_service.msg_portal_service_equipment',
    'equipment', 45, model='crm.installed.product')


def shown(portal, contract):
    "Tell if the customer sees contract (a renewal is linked only then)"
    return bool(contract and contract.party.id in portal.parties
        and contract.contract_kind and contract.state in VISIBLE_STATES)


@service_route('contracts', 'crm.service.level')
def contracts(portal):
    page = Page(portal, 'sale.subscription', VISIBLE, order=CONTRACT_ORDER)
    return render(portal, 'service_contracts.html',
        active='service_contracts', page=page)


@service_route('contracts/<int:contract_id>', 'crm.service.level')
def contract(portal, contract_id):
    contract = portal.get('sale.subscription', contract_id, VISIBLE)
    equipment = portal.search('crm.installed.product', [
            ('contract', '=', contract.id),
            ], order=EQUIPMENT_ORDER)
    return render(portal, 'service_contract.html',
        active='service_contracts', contract=contract, equipment=equipment,
        shown=lambda c: shown(portal, c))


@service_route('equipment', 'crm.installed.product')
def equipment(portal):
    page = Page(portal, 'crm.installed.product', INSTALLED,
        order=EQUIPMENT_ORDER)
    return render(portal, 'service_equipment.html',
        active='service_equipment', page=page,
        shown=lambda c: shown(portal, c))
