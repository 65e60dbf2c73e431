# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class PortalAnswerError(UserError):
    "An answer to a quotation the portal cannot record as given"
