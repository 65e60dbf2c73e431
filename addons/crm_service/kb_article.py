# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Knowledge base (V4): articles answering the typical requests of the
customers, with their category, products and keywords; drafted by the agents,
published and archived by the managers, found by full-text search, linked to
the service requests they answered, suggested on the requests, shown to the
customers on the portal and counted there (views and helpful votes)"""
from collections import defaultdict

from sql import Literal
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from . import kb_search

# The fields of the text of an article: frozen once published
CONTENT_FIELDS = {
    'company', 'title', 'body', 'category', 'products', 'keywords'}
# The counters the portal increments
COUNTERS = {'view_count', 'helpful_count', 'unhelpful_count'}
# How many articles are suggested on a request
SUGGESTIONS = 5


class Article(Workflow, ModelSQL, ModelView):
    "An answer to a typical request of the customers"
    __name__ = 'crm.kb.article'
    __string__ = "Knowledge Base Article"
    _rec_name = 'title'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    title = fields.Char(
        "Title", required=True, translate=True, states=_states)
    body = fields.Text(
        "Text", translate=True, states=_states,
        help="The answer: the symptoms, the steps to follow, the terms.")
    category = fields.Many2One(
        'crm.service.category', "Category", ondelete='RESTRICT',
        states=_states,
        help="The requests of this category or of its subcategories "
        "are suggested the article.")
    products = fields.Many2Many(
        'crm.kb.article-product.template', 'article', 'template',
        "Products", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The products the article is about: "
        "suggested on the requests about them.")
    keywords = fields.Char(
        "Keywords", states=_states,
        help="Words the customers use for the problem, "
        "separated by commas: the search finds them.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('published', "Published"),
            ('archived', "Archived"),
            ], "State", required=True, readonly=True, sort=False)
    published_date = fields.Date("Published Date", readonly=True)
    portal_published = fields.Boolean(
        "On Portal",
        states={
            'readonly': Eval('state') != 'published',
            },
        help="Show the article to the customers on the portal.\n"
        "Only a published article can be.")
    view_count = fields.Integer(
        "Views", readonly=True,
        help="How many times the customers opened the article.")
    helpful_count = fields.Integer(
        "Helpful", readonly=True,
        help="How many customers found the article helpful.")
    unhelpful_count = fields.Integer(
        "Not Helpful", readonly=True,
        help="How many customers found the article of no help.")
    helpfulness = fields.Function(
        fields.Float(
            "Helpfulness", digits=(1, 4),
            help="The share of the votes that found the article helpful."),
        'get_helpfulness')
    requests = fields.Many2Many(
        'crm.kb.article-crm.service.request', 'article', 'request',
        "Requests", readonly=True,
        help="The service requests the article was linked to.")
    words = fields.Function(
        fields.Char(
            "Words",
            help="Search the articles by the words of their title, "
            "keywords and text, whatever their endings."),
        'get_words', searcher='search_words')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.category, Index.Equality())),
                Index(
                    t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'published'),
                })
        cls._order.insert(0, ('title', 'ASC'))
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'draft'),
            ('published', 'archived'),
            ('archived', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') == 'draft',
                    'icon': If(Eval('state') == 'archived',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-public',
                    'depends': ['state'],
                    },
                'archive': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-archive',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        transaction = Transaction()
        # The document index needs PostgreSQL's text search, which Index
        # cannot declare
        if transaction.database.has_search_full_text():
            kb_search.create_index(cls._table, kb_search.search_config())

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_portal_published(cls):
        return False

    @classmethod
    def default_view_count(cls):
        return 0

    @classmethod
    def default_helpful_count(cls):
        return 0

    @classmethod
    def default_unhelpful_count(cls):
        return 0

    def get_helpfulness(self, name):
        votes = (self.helpful_count or 0) + (self.unhelpful_count or 0)
        if votes:
            return round((self.helpful_count or 0) / votes, 4)

    def get_words(self, name):
        return None

    @classmethod
    def search_words(cls, name, clause):
        _, operator, value = clause[:3]
        # The client surrounds the words with the wildcards of ilike
        text = (value or '').replace('%', ' ')
        if not kb_search.words(text):
            return []
        ids = [i for i, _ in cls._rank(text)]
        if operator.startswith('not') or operator.startswith('!'):
            return [('id', 'not in', ids)]
        return [('id', 'in', ids)]

    @classmethod
    def validate_fields(cls, articles, field_names):
        super().validate_fields(articles, field_names)
        cls.check_portal_published(articles, field_names)

    @classmethod
    def check_portal_published(cls, articles, field_names=None):
        if field_names and not (field_names & {'portal_published', 'state'}):
            return
        for article in articles:
            if article.portal_published and article.state != 'published':
                raise ValidationError(gettext(
                        'crm_service.msg_kb_article_portal_published',
                        article=article.rec_name))

    @classmethod
    def check_modification(cls, mode, articles, values=None, external=False):
        super().check_modification(
            mode, articles, values=values, external=external)
        if mode == 'write':
            if values.keys() & CONTENT_FIELDS:
                for article in articles:
                    if article.state != 'draft':
                        raise AccessError(gettext(
                                'crm_service.msg_kb_article_modify_published',
                                article=article.rec_name))
            # Only the portal counts, by register_views and vote
            if external and values.keys() & COUNTERS:
                for article in articles:
                    raise AccessError(gettext(
                            'crm_service.msg_kb_article_counters',
                            article=article.rec_name))
        elif mode == 'delete':
            for article in articles:
                if article.state != 'draft':
                    raise AccessError(gettext(
                            'crm_service.msg_kb_article_delete_draft',
                            article=article.rec_name))

    @classmethod
    def copy(cls, articles, default=None):
        default = default.copy() if default is not None else {}
        # A copy is a new draft, neither read nor linked yet
        default.setdefault('published_date')
        default.setdefault('portal_published', False)
        default.setdefault('requests')
        for counter in sorted(COUNTERS):
            default.setdefault(counter, 0)
        return super().copy(articles, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, articles):
        # Hidden from the customers while it is rewritten or archived
        cls.write(articles, {'portal_published': False})

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, articles):
        pool = Pool()
        Date = pool.get('ir.date')
        for company, c_articles in cls._by_company(articles).items():
            with Transaction().set_context(company=company):
                today = Date.today()
            cls.write(c_articles, {'published_date': today})

    @classmethod
    @ModelView.button
    @Workflow.transition('archived')
    def archive(cls, articles):
        cls.write(articles, {'portal_published': False})

    @classmethod
    def _by_company(cls, articles):
        by_company = defaultdict(list)
        for article in articles:
            by_company[article.company.id].append(article)
        return by_company

    @classmethod
    def search_text(cls, text, portal_only=False, limit=20):
        """Return the published articles matching all the words of text,
        the best first; only those on the portal with portal_only"""
        ranked = cls._rank(
            text, states=['published'], portal_only=portal_only, limit=limit)
        return cls._readable([i for i, _ in ranked])

    @classmethod
    def _readable(cls, ids):
        "Return the articles of ids the user may read, in the order of ids"
        readable = set(map(int, cls.search([('id', 'in', ids)])))
        return cls.browse([i for i in ids if i in readable])

    @classmethod
    def _rank(cls, text, states=None, portal_only=False, match_all=True,
            limit=None):
        """Return the (id, score) of the articles of the company matching
        the words of text, the best first

        states limits the states of the articles; with match_all every word
        must be found, else any of them."""
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        article = cls.__table__()
        if not kb_search.words(text):
            return []

        where = Literal(True)
        if states is not None:
            where &= article.state.in_(states)
        if portal_only:
            where &= article.portal_published == Literal(True)
        if company := transaction.context.get('company'):
            where &= article.company == company

        if database.has_search_full_text():
            config = kb_search.search_config()
            document = kb_search.document(article, config)
            query = kb_search.query(text, config, match_all=match_all)
            rank = kb_search.TsRank(document, query)
            cursor.execute(*article.select(article.id, rank,
                    where=where & kb_search.Match(document, query),
                    order_by=[rank.desc, article.id.asc],
                    limit=limit))
            return list(cursor)

        terms = kb_search.compile_terms(text)
        cursor.execute(*article.select(
                article.id, article.title, article.keywords, article.body,
                where=where))
        ranked = []
        for id_, title, keywords, body in cursor:
            if score := kb_search.score(
                    terms, title, keywords, body, match_all=match_all):
                ranked.append((id_, score))
        ranked.sort(key=lambda r: (-r[1], r[0]))
        return ranked[:limit]

    @classmethod
    def register_views(cls, articles):
        "Count a view of each article"
        cls._increment(articles, 'view_count')

    @classmethod
    def vote(cls, articles, helpful):
        "Count a vote of a customer who found the articles helpful or not"
        cls._increment(
            articles, 'helpful_count' if helpful else 'unhelpful_count')

    @classmethod
    def _increment(cls, articles, name):
        # In SQL: two customers counting at once must both be counted
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        article = cls.__table__()
        column = getattr(article, name)
        ids = [a.id for a in articles]
        for sub_ids in grouped_slice(ids):
            cursor.execute(*article.update(
                    [column], [Coalesce(column, 0) + 1],
                    where=reduce_ids(article.id, sub_ids)))
        # The records read before must read the new counts
        transaction.counter += 1
        for cache in transaction.cache.values():
            if cls.__name__ in cache:
                for id_ in ids:
                    cache[cls.__name__].pop(id_, None)


class ArticleProduct(ModelSQL):
    "The product an article is about"
    __name__ = 'crm.kb.article-product.template'
    __string__ = "Knowledge Base Article - Product"

    article = fields.Many2One(
        'crm.kb.article', "Article", required=True, ondelete='CASCADE')
    template = fields.Many2One(
        'product.template', "Product", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('article')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.template, Index.Equality())))


class ArticleRequest(ModelSQL):
    "An article linked to a service request it answered"
    __name__ = 'crm.kb.article-crm.service.request'
    __string__ = "Knowledge Base Article - Service Request"

    article = fields.Many2One(
        'crm.kb.article', "Article", required=True, ondelete='CASCADE')
    request = fields.Many2One(
        'crm.service.request', "Request", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The agents who handle the request link the articles to it
        cls.__access__.update({'article', 'request'})
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.request, Index.Equality())))


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    kb_articles = fields.Many2Many(
        'crm.kb.article-crm.service.request', 'request', 'article',
        "Articles",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The knowledge base articles that answered the request.")
    suggested_articles = fields.Function(
        fields.Many2Many(
            'crm.kb.article', None, None, "Suggested Articles",
            help="The published articles of the request's category "
            "or product, or with the words of its subject, the best first."),
        'get_suggested_articles')

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('kb_articles')
        return super().copy(requests, default=default)

    @classmethod
    def get_suggested_articles(cls, requests, name):
        """Rank the published articles for each request: 2 points for its
        category, 1 for a parent category, 2 for the product of its
        installed product, and up to 2 for the words of its subject
        (2 for the best match among the articles)"""
        pool = Pool()
        Article = pool.get('crm.kb.article')

        categories, templates = {}, {}
        for request in requests:
            categories[request.id] = paths = {}
            category, points = request.category, 2
            while category:
                paths.setdefault(category.id, points)
                category, points = category.parent, 1
            installed = request.installed_product
            templates[request.id] = (
                installed.product.template.id
                if installed and installed.product else None)

        category_ids = {c for p in categories.values() for c in p}
        template_ids = {t for t in templates.values() if t}
        related = Article.search([
                ('state', '=', 'published'),
                ['OR',
                    ('category', 'in', list(category_ids)),
                    ('products', 'in', list(template_ids)),
                    ],
                ])
        article_templates = {
            a.id: {p.id for p in a.products} for a in related}

        suggestions = {}
        for request in requests:
            scores = defaultdict(float)
            for article in related:
                if article.company != request.company:
                    continue
                if article.category:
                    scores[article.id] += categories[request.id].get(
                        article.category.id, 0)
                if templates[request.id] in article_templates[article.id]:
                    scores[article.id] += 2
            with Transaction().set_context(company=request.company.id):
                ranked = Article._rank(
                    request.subject or '', states=['published'],
                    match_all=False)
            if ranked:
                best = ranked[0][1]
                for article_id, score in ranked:
                    scores[article_id] += 2 * score / best
            ordered = sorted(
                (i for i, s in scores.items() if s),
                key=lambda i: (-scores[i], i))
            suggestions[request.id] = ordered[:SUGGESTIONS]
        return suggestions
