# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The full-text search of the knowledge base articles

On PostgreSQL the articles are searched with its text search: a document
made of the title (weight A), the keywords (B) and the body (C) with the
'russian' configuration (or 'simple' where the server has no Russian
dictionary), queried with websearch_to_tsquery and ranked with ts_rank.  The
document is written with constants only, so that the GIN index on the same
expression (created by the article's __register__) serves the queries.

SQLite has no text search, and its lower() and LIKE fold only the ASCII
letters, so the Cyrillic words could not be matched case-insensitively in
SQL.  The fallback reads the candidate articles (the published ones of the
company: a knowledge base of hundreds or thousands of short articles) and
matches them in Python: each word of the query, case-folded with ё read as е,
must begin a word of the title, keywords or body; words longer than
STEM_LENGTH letters are cut to their STEM_LENGTH first letters so that the
inflected forms match («электричества» finds «электричество»).  The score
counts each word found in the title 1, in the keywords 0.4 and in the body
0.2: the weights ts_rank gives to A, B and C.

Both search the columns of the articles, which hold the texts in the
database's default language; the translations in other languages (in
ir.translation) are not searched."""
import re

from sql import Expression, Table
from sql.conditionals import Coalesce
from sql.functions import Function
from sql.operators import BinaryOperator, Concat

from trytond.transaction import Transaction

# The shortest word searched
MIN_WORD_LENGTH = 2
# The length of the prefix that stands for a longer word on SQLite
STEM_LENGTH = 5
# The words too common to search, as PostgreSQL's Russian dictionary drops
STOP_WORDS = {
    'без', 'бы', 'в', 'во', 'вы', 'да', 'для', 'до', 'же', 'за', 'и', 'из',
    'или', 'как', 'ко', 'ли', 'мы', 'на', 'над', 'не', 'нет', 'ни', 'но',
    'о', 'об', 'он', 'она', 'они', 'от', 'по', 'под', 'после', 'при',
    'про', 'с', 'со', 'так', 'то', 'у', 'что', 'это', 'я',
    }
# The weights of a word found in the title, the keywords and the body
WEIGHTS = {'A': 1.0, 'B': 0.4, 'C': 0.2}
# The text search configuration of the Russian language
LANGUAGE_CONFIG = 'russian'
FALLBACK_CONFIG = 'simple'

_WORD = re.compile(r'\w+')
_configs = {}


def fold(text):
    "Return text in lower case, with ё as е"
    return (text or '').casefold().replace('ё', 'е')


def words(text, folded=True):
    """Return the distinct words of text worth searching, in their order,
    folded or as written"""
    found = []
    for word in _WORD.findall(text or ''):
        key = fold(word)
        if len(key) < MIN_WORD_LENGTH or key in STOP_WORDS:
            continue
        if folded:
            word = key
        if word not in found:
            found.append(word)
    return found


def stem(word):
    "Return the beginning that stands for the inflected forms of word"
    return word[:STEM_LENGTH]


def compile_terms(text):
    "Return the expressions that find each word of text"
    return [re.compile(r'(?<!\w)' + re.escape(stem(w)))
        for w in words(text)]


def score(terms, title, keywords, body, match_all=True):
    """Return how well the texts of an article match the terms: 0 when a
    term is missing (any term with match_all, all of them otherwise)"""
    documents = [
        (fold(title), WEIGHTS['A']),
        (fold(keywords), WEIGHTS['B']),
        (fold(body), WEIGHTS['C']),
        ]
    total = 0
    for term in terms:
        found = sum(w for d, w in documents if term.search(d))
        if not found and match_all:
            return 0
        total += found
    return total


class _Constant(Expression):
    "A string constant written in the SQL, for the expression of the index"
    __slots__ = ('_value',)

    def __init__(self, value):
        super().__init__()
        # Only the names of this module are written, never a user's text
        assert re.fullmatch(r'[A-Za-z_]*', value)
        self._value = value

    def __str__(self):
        return "'%s'" % self._value

    @property
    def params(self):
        return ()


class ToTsvector(Function):
    __slots__ = ()
    _function = 'to_tsvector'


class Setweight(Function):
    __slots__ = ()
    _function = 'setweight'


class WebsearchToTsquery(Function):
    __slots__ = ()
    _function = 'websearch_to_tsquery'


class PlainToTsquery(Function):
    __slots__ = ()
    _function = 'plainto_tsquery'


class TsRank(Function):
    __slots__ = ()
    _function = 'ts_rank'


class Match(BinaryOperator):
    __slots__ = ()
    _operator = '@@'


class TsOr(BinaryOperator):
    __slots__ = ()
    _operator = '||'


def search_config():
    "Return the text search configuration of the PostgreSQL database"
    transaction = Transaction()
    name = transaction.database.name
    if name not in _configs:
        ts_config = Table('pg_ts_config')
        cursor = transaction.connection.cursor()
        cursor.execute(*ts_config.select(ts_config.cfgname,
                where=ts_config.cfgname == LANGUAGE_CONFIG))
        _configs[name] = (
            LANGUAGE_CONFIG if cursor.fetchone() else FALLBACK_CONFIG)
    return _configs[name]


def document(table, config):
    "Return the weighted text search vector of the articles of table"
    config = _Constant(config)
    vector = None
    for column, weight in [
            (table.title, 'A'), (table.keywords, 'B'), (table.body, 'C')]:
        weighted = Setweight(
            ToTsvector(config, Coalesce(column, _Constant(''))),
            _Constant(weight))
        vector = weighted if vector is None else Concat(vector, weighted)
    return vector


def query(text, config, match_all=True):
    """Return the text search query of text: all its words when match_all
    (with the syntax of web search engines), else any of them"""
    transaction = Transaction()
    config = _Constant(config)
    if not match_all:
        query = None
        # PostgreSQL's dictionary normalises the words as written
        for word in words(text, folded=False):
            word_query = PlainToTsquery(config, word)
            query = word_query if query is None else TsOr(query, word_query)
        return query
    version = transaction.database.get_version(transaction.connection)
    if version >= (11, 0):
        return WebsearchToTsquery(config, text)
    return PlainToTsquery(config, text)


def create_index(table_name, config):
    "Create the GIN index of the document of the articles if missing"
    cursor = Transaction().connection.cursor()
    # Named so that trytond does not drop it as one of its own indexes
    index_name = '%s_fts_%s' % (table_name, config)
    cursor.execute('CREATE INDEX IF NOT EXISTS "%s" ON "%s" USING GIN ((%s))'
        % (index_name, table_name, document(Table(table_name), config)))
