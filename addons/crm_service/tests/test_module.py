# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class CrmServiceTestCase(CompanyTestMixin, ModuleTestCase):
    "Test CRM Service module"
    module = 'crm_service'


del ModuleTestCase
