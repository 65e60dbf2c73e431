# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.tests.test_tryton import ModuleTestCase


class CrmSalesTestCase(
        PartyCheckReplaceMixin, CompanyTestMixin, ModuleTestCase):
    "Test CRM Sales module"
    module = 'crm_sales'


del ModuleTestCase
