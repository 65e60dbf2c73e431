# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A demo customer on the service pages of the portal in Chromium, on a
phone: sends a request, follows and answers it, rates a resolved one, and
finds an answer in the knowledge base (V6)."""
import re
import sys

from demo_server import DATABASE, PASSWORD, ChromiumTestCase
from playwright.sync_api import expect


class ServicePortalBrowserTestCase(ChromiumTestCase):
    "A customer's requests and the knowledge base on the portal"
    viewport = {'width': 390, 'height': 844}  # a phone

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = f'{cls.url}/{DATABASE}/portal'
        cls.pick_customer()
        cls.pick_article()

    @classmethod
    def search(cls, model, domain, fields, order=None, limit=None):
        return cls.call(model, 'read',
            cls.call(model, 'search', domain, 0, limit, order), fields)

    @classmethod
    def pick_customer(cls):
        "A demo portal user with a resolved request waiting for a rating"
        for user in cls.search('web.user', [('party', '!=', None)],
                ['email', 'party', 'party.rec_name'], [('id', 'ASC')]):
            resolved = cls.search('crm.service.request', [
                    ('party', '=', user['party']),
                    ('state', '=', 'resolved'),
                    ('rated', '=', False),
                    ], ['number', 'subject'], [('id', 'ASC')], 1)
            if resolved:
                break
        else:
            raise RuntimeError("No demo portal user with a request to rate")
        cls.email = user['email']
        cls.customer = user['party.']['rec_name']
        cls.resolved, = resolved
        sys.stderr.write(
            f"\n[service portal test] {cls.email} ({cls.customer}): "
            f"request {cls.resolved['number']} to rate\n")

    @classmethod
    def pick_article(cls):
        "An article of the knowledge base the customers see"
        articles = cls.search('crm.kb.article', [
                ('state', '=', 'published'),
                ('portal_published', '=', True),
                ], ['title'], [('id', 'ASC')], 1)
        if not articles:
            raise RuntimeError("No demo article on the portal")
        cls.article, = articles
        # its longest word finds it
        cls.query = max(re.findall(r'\w+', cls.article['title']), key=len)

    def log_in(self):
        page = self.page
        page.goto(f'{self.portal}/')
        page.get_by_label("Адрес эл. почты").fill(self.email)
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role('button', name="Войти").click()
        expect(page.locator('h1')).to_have_text(
            f"Здравствуйте, {self.customer}")

    def test_requests(self):
        "Send a request, find it in the list, answer it; rate a resolved one"
        page = self.page
        with self.recording('service_portal_new_request.png'):
            self.log_in()
            page.get_by_role('link', name="Мои обращения").click()
            expect(page.locator('h1')).to_have_text("Мои обращения")
            page.get_by_role('link', name="Новое обращение").click()
            page.get_by_label("Тема").fill("Шумит внутренний блок")
            page.get_by_label("Опишите проблему").fill(
                "После чистки фильтров появился треск при включении.")
            page.get_by_label("Приоритет").select_option('high')
            page.get_by_role('button', name="Отправить обращение").click()
            expect(page.locator('p.notice')).to_contain_text(
                "Обращение отправлено")
            title = page.locator('h1').inner_text()
            number = re.search(r'Обращение (\S+)', title).group(1)
            expect(page.locator('h1 [data-state]')).to_have_text("Получено")

        with self.recording('service_portal_requests.png'):
            page.get_by_role('link', name="Мои обращения").first.click()
            row = page.locator('table.requests tbody tr').filter(
                has_text=number)
            expect(row).to_contain_text("Шумит внутренний блок")
            expect(row).to_contain_text("Ответим до")
            row.get_by_role('link', name=number).click()
            expect(page.locator('h1')).to_contain_text(number)

        with self.recording('service_portal_reply.png'):
            page.get_by_label("Ваш ответ").fill(
                "Фото наклейки с моделью прикладываем позже.")
            page.get_by_role('button', name="Отправить", exact=True).click()
            expect(page.locator('p.notice')).to_have_text("Ответ отправлен.")
            expect(page.locator('ul.messages > li').last).to_contain_text(
                "Фото наклейки с моделью")
            expect(page.locator('ul.messages > li strong').last).to_have_text(
                "Вы")

        with self.recording('service_portal_rating.png'):
            page.get_by_role('link', name="Мои обращения").first.click()
            page.get_by_role(
                'link', name=self.resolved['number'], exact=True).click()
            expect(page.locator('h1 [data-state]')).to_have_text("Решено")
            page.locator('input[name=rating][value="5"]').check()
            page.get_by_label("Ваш отзыв (необязательно)").fill(
                "Инженер приехал вовремя, всё объяснил.")
            page.get_by_role('button', name="Оценить").click()
            expect(page.locator('p.notice')).to_have_text("Спасибо за оценку.")
            rating = page.locator('section.rating')
            expect(rating).to_have_attribute('data-rating', '5')
            expect(rating).to_contain_text("5 из 5")
            expect(page.locator('form.rate')).to_have_count(0)

    def test_knowledge_base(self):
        "Search the knowledge base, read an article and say it helped"
        page = self.page
        with self.recording('service_portal_kb.png'):
            self.log_in()
            page.get_by_role('link', name="База знаний").click()
            expect(page.locator('h1')).to_have_text("База знаний")
            page.get_by_label("Поиск по базе знаний").fill(self.query)
            page.get_by_role('button', name="Найти").click()
            page.get_by_role(
                'link', name=self.article['title'], exact=True).click()
            expect(page.locator('article h1')).to_have_text(
                self.article['title'])
            page.get_by_role('button', name="Да, помогла").click()
            expect(page.locator('p.notice')).to_have_text(
                "Спасибо за ответ.")
