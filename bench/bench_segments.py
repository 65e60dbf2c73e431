# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The classification and the segments (M1): the ABC/RFM recompute of all the
customers, and the refresh of segments combining categories (with their
children), regions, ABC classes and the last purchase, each against the
hand-written statements doing the same.

Ours builds its queries through the ORM (the criteria read, the category and
region trees searched): a few milliseconds per refresh that the bare SQL has
not. On small data that constant dominates the SQL: with the demo at scale
0.5 (260 customers, 431 invoices) the ratios were 1.5, 4.6 and 2.8; with its
invoices copied 40 times (1,059 customers, 17,700 invoices) 1.4, 1.6 and 1.1
(SQLite, 2 cores)."""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.pool import Pool
from trytond.transaction import Transaction

from .harness import Benchmark

# The revenue of an invoice as our query reads it: SQLite keeps Decimal as
# text, the cast makes it a number on both backends
AMOUNT = "CAST(COALESCE(i.untaxed_amount_cache, 0) AS NUMERIC)"

CLASSIFY = '''
WITH stats AS (
    SELECT i.party AS party,
        COALESCE(SUM(CASE WHEN i.invoice_date >= '{abc_start}'
            THEN {amount} END), 0) AS revenue,
        COUNT(CASE WHEN {amount} > 0 AND i.invoice_date >= '{rfm_start}'
            THEN i.id END) AS frequency,
        COALESCE(SUM(CASE WHEN i.invoice_date >= '{rfm_start}'
            THEN {amount} END), 0) AS monetary,
        MAX(CASE WHEN {amount} > 0 THEN i.invoice_date END) AS last_date
    FROM account_invoice AS i
    WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
        AND i.company = {company} AND i.invoice_date <= '{today}'
    GROUP BY i.party
    HAVING COUNT(CASE WHEN {amount} > 0 THEN i.id END) > 0),
ranked AS (
    SELECT party, revenue,
        COALESCE(SUM(CASE WHEN revenue > 0 THEN revenue ELSE 0 END) OVER (
            ORDER BY revenue DESC, party
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
        SUM(CASE WHEN revenue > 0 THEN revenue ELSE 0 END) OVER () AS total,
        (RANK() OVER (ORDER BY last_date) - 1) * 5 / COUNT(party) OVER ()
            + 1 AS recency,
        (RANK() OVER (ORDER BY frequency) - 1) * 5 / COUNT(party) OVER ()
            + 1 AS frequency,
        (RANK() OVER (ORDER BY monetary) - 1) * 5 / COUNT(party) OVER ()
            + 1 AS monetary
    FROM stats)
UPDATE party_party SET
    abc_class = (CASE
        WHEN ranked.revenue <= 0 THEN 'C'
        WHEN ranked.before * 100 < {a_share} * ranked.total THEN 'A'
        WHEN ranked.before * 100 < {ab_share} * ranked.total THEN 'B'
        ELSE 'C' END),
    rfm_recency = ranked.recency,
    rfm_frequency = ranked.frequency,
    rfm_monetary = ranked.monetary,
    classified_at = CURRENT_TIMESTAMP
FROM ranked
WHERE party_party.id = ranked.party
'''

REFRESH = '''
INSERT INTO crm_segment_member (segment, party, create_uid, create_date)
WITH RECURSIVE tree (category) AS (
    SELECT id FROM party_category WHERE id IN ({categories})
    UNION SELECT c.id FROM party_category AS c
        JOIN tree ON c.parent = tree.category)
SELECT {segment}, p.id, 0, CURRENT_TIMESTAMP
FROM party_party AS p
WHERE p.active
    AND p.id IN (SELECT r.party FROM "party_party-party_category" AS r
        WHERE r.category IN (SELECT category FROM tree))
    AND p.id IN (SELECT a.party FROM party_address AS a
        WHERE a.active AND a.subdivision IN ({regions}))
    AND p.abc_class IN ('A', 'B')
    AND p.id IN (SELECT i.party FROM account_invoice AS i
        WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
            AND i.company = {company} AND i.invoice_date <= '{today}'
            AND {amount} > 0
        GROUP BY i.party HAVING MAX(i.invoice_date) >= '{since}')
'''
# Number of segments refreshed by the "many segments" benchmark
SEGMENTS = 20


def _classification():
    "Return the classification of the parties, as a set"
    party = Pool().get('party.party').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*party.select(
            party.id, party.abc_class, party.rfm_recency,
            party.rfm_frequency, party.rfm_monetary,
            where=party.classified_at != None))  # noqa: E711
    return set(cursor)


def _classify_sql(company_id):
    pool = Pool()
    Configuration = pool.get('crm.marketing.configuration')
    Date = pool.get('ir.date')
    config = Configuration(1)
    today = Date.today()
    one_day = dt.timedelta(days=1)
    return CLASSIFY.format(
        amount=AMOUNT, company=int(company_id), today=today,
        abc_start=today - relativedelta(months=12) + one_day,
        rfm_start=today - relativedelta(months=config.rfm_months) + one_day,
        a_share=float(config.abc_a_share),
        ab_share=float(config.abc_a_share + config.abc_b_share))


def _reset_classification():
    "Clear the classification so that both sides compute it from scratch"
    party = Pool().get('party.party').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*party.update(
            [party.abc_class, party.rfm_recency, party.rfm_frequency,
                party.rfm_monetary, party.classified_at],
            [None] * 5))


def _create_segment(name, categories, regions, since):
    pool = Pool()
    Segment = pool.get('crm.segment')
    segment, = Segment.create([{
                'name': name,
                'categories': [('add', [c.id for c in categories])],
                'regions': [('add', [r.id for r in regions])],
                'abc_classes': ['A', 'B'],
                'last_purchase_from': since,
                }])
    return segment


def benchmarks():
    pool = Pool()
    Category = pool.get('party.category')
    Date = pool.get('ir.date')
    Party = pool.get('party.party')
    Segment = pool.get('crm.segment')
    Subdivision = pool.get('country.subdivision')
    company_id = Transaction().context['company']
    today = Date.today()
    since = today - dt.timedelta(days=365)
    categories = Category.search([('parent', '=', None)], limit=2)
    regions = Subdivision.search([('code', 'in', ['RU-MOW', 'RU-MOS'])])
    if not categories or not regions:
        return []

    def classify(state):
        Party.classify_customers()

    def classify_sql(state):
        cursor = Transaction().connection.cursor()
        cursor.execute(_classify_sql(company_id))

    def one_segment():
        _reset_members()
        return _create_segment("Benchmark", categories, regions, since)

    def refresh(segment):
        Segment.refresh([segment])

    def refresh_sql(segment):
        cursor = Transaction().connection.cursor()
        member = pool.get('crm.segment.member').__table__()
        cursor.execute(*member.delete(where=member.segment == segment.id))
        cursor.execute(REFRESH.format(
                segment=segment.id,
                categories=', '.join(str(c.id) for c in categories),
                regions=', '.join(str(r.id) for r in regions),
                company=int(company_id), today=today,
                since=segment.last_purchase_from, amount=AMOUNT))

    def many_segments():
        _reset_members()
        return [_create_segment(f"Benchmark {i}", categories, regions,
                since - dt.timedelta(days=10 * i))
            for i in range(SEGMENTS)]

    def refresh_many(segments):
        Segment.refresh(segments)

    def refresh_many_sql(segments):
        for segment in segments:
            refresh_sql(segment)

    # both sides must compute the same classification and members
    with Transaction().new_transaction() as transaction:
        _reset_classification()
        classify(None)
        ours = _classification()
        _reset_classification()
        classify_sql(None)
        bare = _classification()
        segment = one_segment()
        refresh(segment)
        members = _members(segment)
        refresh_sql(segment)
        bare_members = _members(segment)
        transaction.rollback()
    assert ours == bare, ours ^ bare
    assert members == bare_members, members ^ bare_members
    return [
        Benchmark("ABC/RFM classification", classify, classify_sql,
            limit=2.0, setup=_reset_classification,
            size=f"{len(ours)} customers"),
        Benchmark("segment refresh", refresh, refresh_sql,
            limit=2.0, setup=one_segment,
            size=f"{len(members)} members, 4 criteria"),
        Benchmark("segment refresh, many", refresh_many, refresh_many_sql,
            limit=2.0, setup=many_segments,
            size=f"{SEGMENTS} segments"),
        ]


def _members(segment):
    "Return the ids of the parties of the segment"
    member = Pool().get('crm.segment.member').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*member.select(
            member.party, where=member.segment == segment.id))
    return {p for p, in cursor}


def _reset_members():
    "Forget the members the demo's segments have"
    member = Pool().get('crm.segment.member').__table__()
    Transaction().connection.cursor().execute(*member.delete())
