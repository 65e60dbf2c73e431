# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The state shared by the phases of the generator and its helpers"
import datetime as dt
import random
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from proteus import Model
from tqdm import tqdm

from trytond import config as trytond_config

TIMEZONE = 'Europe/Moscow'
# The demo's own size: above it, the data is copied in SQL (bulk.py)
BULK_FROM = 1.0
# Larger batches are slower: trytond's caches of records overflow
BATCH_SIZE = 100


class Demo:
    "What the phases share: the connection, the randomness and the records"

    def __init__(self, config, seed, scale, today, password,
            bulk_from=BULK_FROM):
        self.config = config
        self.random = random.Random(seed)
        # what the phases create through Tryton, and what is asked
        self.scale = min(scale, bulk_from)
        self.target_scale = scale
        self.today = today
        self.password = password
        self.russian = None
        self.company = None
        self.currency = None
        self.country = None
        self.subdivisions = {}
        self.accounts = {}
        self.payment_terms = []
        self.payment_method = None
        self.payment_provider = None
        self.salespeople = []
        self.categories = {}
        self.channels = {}
        self.customers = []
        self.products = {}
        self.opportunities = []
        self.loss_reasons = {}
        self.sales = []
        self.invoices = []
        self.portal_users = []
        self.marketer = None
        self.lost_reasons = {}
        self.service_levels = {}
        self.termination_reasons = {}
        self.service_categories = {}
        self.service_agents = []
        self.bulk_salespeople = []
        self.bulk_customers = []

    def count(self, number):
        "Return number scaled, at least 1"
        return max(1, round(number * self.scale))

    def date(self, days):
        "Return the date days after today (before when negative)"
        return self.today + dt.timedelta(days=days)

    def random_date(self, start, end):
        "Return a date between start and end included"
        return start + dt.timedelta(
            days=self.random.randint(0, max((end - start).days, 0)))

    def local_datetime(self, date, hour, minute=0):
        "Return the naive UTC datetime of the Moscow local time on date"
        local = dt.datetime.combine(date, dt.time(hour, minute),
            tzinfo=ZoneInfo(TIMEZONE))
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def batches(self, items, description):
        "Iterate over items by slices of BATCH_SIZE with a progress bar"
        items = list(items)
        slices = [items[i:i + BATCH_SIZE]
            for i in range(0, len(items), BATCH_SIZE)]
        return tqdm(slices, desc=description, unit="batch", leave=False)

    def create(self, model, values):
        """Create the records of values in one call and return their ids

        The values go straight to the server: filling proteus records would
        call the on_change methods of each field, which is ten times slower
        for the thousands of documents the demo makes."""
        proxy = self.config.get_proxy(model)
        ids = []
        for slice_ in self.batches(values, model):
            ids.extend(proxy.create(slice_, self.config.context))
        return ids

    def write(self, model, values):
        "Write the values of each id of the dictionary values in one call"
        proxy = self.config.get_proxy(model)
        by_values = {}
        for id_, record_values in values.items():
            key = repr(sorted(record_values.items()))
            by_values.setdefault(key, ([], record_values))[0].append(id_)
        args = []
        for ids, record_values in by_values.values():
            args.extend([ids, record_values])
        if args:
            proxy.write(*args, self.config.context)

    def read(self, model, ids, fields):
        "Return the values of fields of the records, in the order of ids"
        proxy = self.config.get_proxy(model)
        records = proxy.read(ids, fields, self.config.context)
        by_id = {r['id']: r for r in records}
        return [by_id[i] for i in ids]

    def search(self, model, domain, order=None):
        "Return the ids of the records matching domain"
        return self.config.get_proxy(model).search(
            domain, 0, None, order, self.config.context)

    def click(self, model, ids, button, description=None):
        "Click button on the records by batches"
        Record = Model.get(model)
        for slice_ in self.batches(ids, description or button):
            Record.click([Record(i) for i in slice_], button)

    def model_id(self, xml_id):
        "Return the id of the record of the XML id module.name"
        ModelData = Model.get('ir.model.data')
        return ModelData.get_id(xml_id, self.config.context)


@contextmanager
def queued_tasks():
    """Leave the tasks in the queue for a worker, as a server with workers does

    Without worker, trytond runs the tasks at the end of each call."""
    previous = trytond_config.get('queue', 'worker')
    trytond_config.set('queue', 'worker', 'True')
    try:
        yield
    finally:
        trytond_config.set('queue', 'worker', previous or 'False')
