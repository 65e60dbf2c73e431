# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The knowledge base on the portal (V6): the search among the articles
published for the customers, an article, and whether it helped.

Like the other pages, it needs a login. An article the portal does not
publish (a draft, an archived one, one for the service team only) is missing
(404). Each showing of an article counts as a view, but the one that
follows a vote; a browser votes once per article (the ids voted are kept in
a cookie: a soft limit, nothing of the customer is stored)."""
from werkzeug.exceptions import NotFound

from trytond import backend
from trytond.modules.crm_sales.portal import add_menu_entry
from trytond.modules.crm_sales.portal.session import MAX_ID
from trytond.transaction import Transaction

from .portal_common import render, service_route

MODEL = 'crm.kb.article'
PUBLISHED = [
    ('state', '=', 'published'),
    ('portal_published', '=', True),
    ]
QUERY_SIZE = 200
# The articles shown before any search: the most helpful
LATEST = 20
VOTES_COOKIE = 'crm_portal_kb_votes'
# The most votes the cookie remembers
VOTES_KEPT = 100
ONE_YEAR = 365 * 24 * 60 * 60

add_menu_entry('service_kb', 'crm_service.msg_portal_service_kb', 'kb', 60,
    model=MODEL)


def visible(portal):
    "The domain of the articles published on the portal"
    return PUBLISHED + [
        ('company', '=', portal.company.id if portal.company else None),
        ]


def published(portal, article_id):
    "The article of id published on the portal: any other id is missing"
    Article = portal.pool.get(MODEL)
    if not 0 < article_id <= MAX_ID:
        raise NotFound()
    articles = Article.search(
        [('id', '=', article_id)] + visible(portal), limit=1)
    if not articles:
        raise NotFound()
    return articles[0]


def votes(portal):
    "The ids of the articles this browser voted for"
    value = portal.request.cookies.get(VOTES_COOKIE, '')
    return [int(v) for v in value.split('.') if v.isdigit()][-VOTES_KEPT:]


@service_route('kb', MODEL)
def search(portal):
    Article = portal.pool.get(MODEL)
    query = portal.request.args.get('q', '').strip()[:QUERY_SIZE]
    domain = visible(portal)
    if query:
        found = [a.id for a in Article.search_text(query, portal_only=True)]
        # in the order of relevance, what the portal publishes only
        shown = {a.id: a for a in Article.search(
                [('id', 'in', found)] + domain)}
        articles = [shown[i] for i in found if i in shown]
    else:
        articles = Article.search(domain,
            order=[('helpful_count', 'DESC'), ('id', 'DESC')], limit=LATEST)
    return render(portal, 'service_kb.html', active='service_kb',
        query=query, articles=articles)


@service_route('kb/<int:article_id>', MODEL)
def article(portal, article_id):
    Article = portal.pool.get(MODEL)
    article = published(portal, article_id)
    voted = portal.request.args.get('voted')
    if not voted:
        # the page is read in a read-only transaction: the view is counted
        # in one of its own
        try:
            with Transaction().new_transaction():
                Article.register_views([Article(article.id)])
        except backend.DatabaseOperationalError:
            # counted at the same instant by another reader: one view lost
            pass
    return render(portal, 'service_kb_article.html', active='service_kb',
        article=article, voted=article.id in votes(portal),
        thanks=bool(voted))


@service_route('kb/<int:article_id>/vote', MODEL, methods=['POST'])
def vote(portal, article_id):
    Article = portal.pool.get(MODEL)
    article = published(portal, article_id)
    helpful = portal.request.form.get('helpful')
    voted = votes(portal)
    if helpful in {'yes', 'no'} and article.id not in voted:
        Article.vote([article], helpful == 'yes')
        portal.set_cookie(VOTES_COOKIE,
            '.'.join(map(str, (voted + [article.id])[-VOTES_KEPT:])),
            max_age=ONE_YEAR)
    return portal.redirect(f'kb/{article.id}?voted=1')
