# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class CrmMarketingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test CRM Marketing module"
    module = 'crm_marketing'

    @property
    def _skip_company_rule(self):
        # The company the web form files its leads under: a rule on it would
        # hide the configuration singleton itself
        return super()._skip_company_rule | {
            ('crm.marketing.configuration', 'web_lead_company'),
            }


del ModuleTestCase
