"""The customer asks a question on the portal; the seller reads it on the proposal page, answers it
there, and the customer finds the answer under the question (Chromium, axe on both sides)."""
import re

from playwright.sync_api import expect

import app as application
from local.client import Client
from tests.browser.test_seller_front import garage, heading, log_in, look, open_page  # noqa: F401 (fixtures)
from tests.offers import emails_to, offer, propose, read, token_in
from tests.support import Api


def test_the_seller_answers_the_customers_question_from_the_proposal_page(live_server, garage, open_page):  # noqa: F811
    api = Api(Client(application.app), garage.token(garage.seller))
    sale = offer(api, "question")
    proposal = propose(api, sale)
    assert api.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    token = token_in(read(emails_to(sale.email)[-1]))

    phone = open_page()
    phone.goto(f"{live_server}/p/{token}/question")
    phone.get_by_label(re.compile("question", re.I)).first.fill("Peut-on livrer un samedi ?")
    phone.locator('form button[type="submit"]').first.click()
    expect(phone.get_by_text("Votre question est envoyée")).to_be_visible()

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{proposal['id']}")
    heading(page, re.compile(r"^Proposition P"))
    questions = page.get_by_role("region", name="Questions du client")
    expect(questions).to_contain_text("Peut-on livrer un samedi ?")
    look(page, "front-proposal-question")
    questions.get_by_label("Votre réponse à la question 1").fill("Oui, le samedi matin.")
    questions.get_by_role("button", name="Répondre").click()
    expect(questions).to_contain_text("Oui, le samedi matin.")
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Réponse envoyée au client")
    look(page, "front-proposal-question-answered")

    phone.goto(f"{live_server}/p/{token}")
    thread = phone.get_by_role("region", name="Vos questions")
    expect(thread).to_contain_text("Peut-on livrer un samedi\u202f?")
    expect(thread).to_contain_text("Oui, le samedi matin.")
    look(phone, "portal-question-answered")
