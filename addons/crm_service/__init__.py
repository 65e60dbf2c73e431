# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from . import (  # noqa: F401 the portal pages register on import
    portal_contracts, portal_kb, portal_requests)
