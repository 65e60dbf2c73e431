# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"One page of a list of the customer's records"
from math import ceil

SIZE = 20


class Page:
    "The records of the page asked by ?page=N, SIZE at a time"

    def __init__(self, portal, model, domain, order, size=SIZE):
        try:
            self.number = max(int(portal.request.args.get('page', 1)), 1)
        except ValueError:
            self.number = 1
        self.total = portal.count(model, domain)
        self.pages = max(ceil(self.total / size), 1)
        self.number = min(self.number, self.pages)
        self.records = portal.search(model, domain, order=order,
            offset=(self.number - 1) * size, limit=size)

    @property
    def previous(self):
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self):
        return self.number + 1 if self.number < self.pages else None
