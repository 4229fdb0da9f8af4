"""The whole remote sale on the local services: quote → proposal → email → portal → question → code → signed → proofs."""
import hashlib
from html import unescape
import json
import urllib.request
from datetime import timedelta
from pathlib import Path

from chalicelib.documents import sealing, storage
from chalicelib.domain import local_time, withdrawal_dates
from chalicelib.domain.money import format_euros
from chalicelib.settings import settings
from tests import offers, portal
from tests.offers import emails_to, read
from tests.portal import Customer, NOW, at, follow, html
from tests.support import Api, body, tenant





def test_a_customer_reads_asks_signs_with_a_code_and_the_seller_downloads_sealed_proofs(client, tmp_path):
    # The seller makes a quote and sends it as a proposal.
    garage = offers.with_legal(tenant())
    seller = Api(client, garage.token(garage.seller))
    offer = offers.offer(seller, garage.dealer.id.lower())
    seller_address = f"victor-{garage.dealer.id.lower()}@tilleuls.example"
    proposal = offers.propose(seller, offer, seller={**offers.SELLER_BLOCK, "email": seller_address})
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200

    # The customer opens the link read from the email on a phone.
    [invitation] = emails_to(offer.email)
    token = offers.token_in(read(invitation))
    customer = Customer(client, token)
    at(NOW + timedelta(minutes=2))
    opened = customer.get()
    page = html(opened)
    assert opened.status_code == 200
    assert portal.header(opened, "content-type").startswith("text/html")
    assert "frame-ancestors 'none'" in portal.header(opened, "content-security-policy")
    assert portal.header(opened, "referrer-policy") == "no-referrer"
    assert portal.header(opened, "cache-control") == "no-store"
    for shown in ("Garage des Tilleuls", proposal["reference"], "Victor Vendeur", "Accepter et signer",
                  "Formulaire de rétractation", format_euros(proposal["totals"]["ttc_cents"])):
        assert shown in page, shown
    assert "<script" not in page

    # A question: the seller gets it by email, the customer an acknowledgement.
    question_page = html(customer.get("/question"))
    asked = customer.submit("/question", question_page, {"question": "Peut-on livrer un samedi ?"})
    sent_page = customer.client.http.get(follow(asked, customer.url + "/question"))
    assert sent_page.status_code == 200 and "Votre question est envoyée" in html(sent_page)
    [to_seller] = [read(m) for m in emails_to(seller_address) if "question" in read(m).subject]
    assert "Peut-on livrer un samedi" in to_seller.text
    assert any("bien reçue" in read(m).subject for m in emails_to(offer.email))

    # Accept and sign: the form, a code by email, the code typed in.
    at(NOW + timedelta(minutes=3))
    sign_page = html(customer.get("/sign"))
    assert "IBAN du compte à prélever" in sign_page
    started = customer.submit("/sign", sign_page, {"full_name": "Marie Durand", "terms": "1",
                                                   "iban": portal.IBAN})
    code_path = follow(started, customer.url + "/sign")
    assert code_path == customer.url + "/code"
    code_page = html(customer.client.http.get(code_path))
    at(NOW + timedelta(minutes=4))
    confirmed = customer.submit("/code", code_page, {"code": portal.latest_code(offer.email)}, action="/code")
    assert follow(confirmed, code_path) == customer.url
    accepted = customer.get()
    accepted_page = unescape(html(accepted))
    assert accepted.status_code == 200 and "Proposition acceptée et signée" in accepted_page
    signed_on = local_time.paris_date(NOW + timedelta(minutes=4))
    assert "Véhicule, accessoire, frais\u00a0: 14 jours à compter de la livraison ou de la remise" in accepted_page
    end = local_time.format_weekday(withdrawal_dates.ends_on(signed_on, 14, "69"))  # the garage is in Lyon
    assert f"Contrat de service\u00a0: 14 jours à compter de la signature, soit jusqu'au {end} inclus" in accepted_page
    assert "Assurance\u00a0: 30 jours" not in accepted_page  # the optional warranty was not taken

    # The customer's acknowledgement carries the signed PDF, sealed by the development CA.
    [ack] = [m for m in emails_to(offer.email) if "signée" in read(m).subject]
    signed = portal.attachment_of(ack)
    root = portal.dev_root(Path(settings().dev_ca_dir))
    assert sealing.validate(signed, [root]).ok
    view = portal.proposal_view(seller, proposal["id"])
    shown = view["proposal"]["signature"]["shown_pdf"]
    assert hashlib.sha256(signed[:shown["size"]]).hexdigest() == shown["sha256"] == view["proposal"]["pdf"]["sha256"]

    # The seller sees who signed and when, and downloads the proofs.
    assert view["proposal"]["status"] == "accepted"
    assert any("a signé la proposition" in read(m).subject for m in emails_to(seller_address))
    assert view["proposal"]["signature"]["signer_name"] == "Marie Durand"
    assert view["proposal"]["signature"]["iban_masked"] == "FR76 •••• •••• 0189"
    assert view["proofs"] == {"signed_pdf": f"/proposals/{proposal['id']}/proofs/signed.pdf",
                              "evidence": f"/proposals/{proposal['id']}/proofs/evidence.json"}
    kinds = [event["kind"] for event in view["history"]]
    for kind in ("viewed", "question_asked", "signature_started", "code_sent", "code_verified", "accepted"):
        assert kind in kinds, kind
    assert all(e["details"]["user_agent"] == portal.PHONE and e["details"]["ip"] == "127.0.0.1"
               for e in view["history"] if e["by"] == "customer")
    link = body(seller.get(view["proofs"]["signed_pdf"]))
    with urllib.request.urlopen(link["url"]) as download:
        assert download.read() == signed == storage.get(link["s3_key"])
    proofs = body(seller.get(view["proofs"]["evidence"]))
    assert proofs["chain"]["verification"]["ok"] is True
    assert proofs["signer"] == {"name": "Marie Durand", "email": offer.email, "ip": "127.0.0.1",
                                "user_agent": portal.PHONE}
    assert proofs["documents"]["signed"]["sha256"] == hashlib.sha256(signed).hexdigest()
    steps = [step["kind"] for step in proofs["steps"]]
    assert steps[:3] == ["proposal_sent", "link_opened", "viewed"]  # the chain starts with the seller's send
    assert ["sign_form_submitted", "code_sent", "code_verified", "accepted"] == [
        s for s in steps if s in ("sign_form_submitted", "code_sent", "code_verified", "accepted")]
    written = json.dumps(proofs) + json.dumps(view)
    assert token not in written and "3000 6000 0112" not in written and "FR7630006000" not in written
