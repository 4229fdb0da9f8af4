"""Benchmark: rendering a proposal PDF (chalicelib/documents/pdf.render_quote).

Goal: median ≤ 150 ms for a typical proposal (vehicle, accessories, service contract paid
by direct debit, optional warranty, fee, deposit), measured over 30 renders after a
warm-up, in one process as a warm Lambda would. Also reports the first render of the
process (imports fpdf2 and reads the fonts: what a cold start pays) and a 40-line proposal.

Run: .venv/bin/python -m bench.pdf_render   (results go in docs/performance.md)
"""
import platform
import statistics
import sys
import time
from datetime import date, datetime, timezone
from decimal import Decimal

from chalicelib.domain.customers import Account, AccountKind, Civility, Contact, PostalAddress
from chalicelib.domain.dealers import Dealer, DealerLegal, DealerSettings, Deposit, SellerProfile
from chalicelib.domain.proposals.model import new_proposal
from chalicelib.domain.proposals.views import document_of_proposal
from chalicelib.domain.quotes import LineInput, LineKind, Payment, Quote, VehicleDetails

RUNS = 30
GOAL_MS = 150
AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def _line(n: int, kind: LineKind, label: str, cents: int, vat: str = "20", **extra):
    return LineInput(kind=kind, label=label, unit_price_cents=cents, vat_rate=Decimal(vat), **extra).line(f"L{n}")


def typical_lines():
    return [
        _line(1, LineKind.VEHICLE, "Peugeot 308 1.2 PureTech 130 Allure", 1_582_500, vehicle=VehicleDetails(
            make="Peugeot", model="308", version="1.2 PureTech 130 Allure", vin="VF3LBHNSJKS123456",
            registration="AB-123-CD", first_registration=date(2022, 3, 14), mileage_km=32_500)),
        _line(2, LineKind.ACCESSORY, "Tapis de sol", 1_249, quantity=4),
        _line(3, LineKind.SERVICE_CONTRACT, "Contrat d'entretien 36 mois", 89_000, payment=Payment.DIRECT_DEBIT),
        _line(4, LineKind.INSURANCE, "Extension de garantie panne mécanique 24 mois", 59_000, "0", optional=True),
        _line(5, LineKind.FEE, "Frais de mise à la route", 25_000),
    ]


def long_lines():
    return typical_lines() + [
        _line(10 + n, LineKind.ACCESSORY, f"Accessoire n° {n} — pack confort, pose comprise", 4_990 + n, quantity=1)
        for n in range(35)
    ]


def document(lines):
    dealer = Dealer(
        id="D1", name="Garage des Tilleuls",
        settings=DealerSettings(remote_selling=True, deposit=Deposit(enabled=True, percent=10)),
        legal=DealerLegal(legal_name="Tilleuls Automobiles SAS", legal_form="SAS au capital de 50 000 €",
                          address_line="12 rue des Tilleuls", postal_code="69003", city="Lyon",
                          siret="12345678900012", rcs="RCS Lyon 123 456 789", vat_number="FR12123456789",
                          phone="+33472000000", email="contact@tilleuls.example", mediator="CNPM Médiation"),
    )
    account = Account(id="A1", dealer_id="D1", kind=AccountKind.PERSON, name="Marie Durand",
                      address=PostalAddress(line1="3 place Bellecour", postal_code="69002", city="Lyon"),
                      created_at=AT, updated_at=AT)
    contact = Contact(id="C1", dealer_id="D1", account_id="A1", civility=Civility.MADAME, first_name="Marie",
                      last_name="Durand", email="marie@example.com", mobile="+33612345678", created_at=AT,
                      updated_at=AT)
    quote = Quote(id="Q1", dealer_id="D1", number="D2026-00042", account_id="A1", contact_id="C1", seller_id="U1",
                  lines=lines, valid_until=date(2026, 12, 24), notes="Reprise de votre Clio incluse.",
                  created_at=AT, created_by="U1", updated_at=AT)
    seller = SellerProfile(display_name="Victor Vendeur", phone="+33611223344", email="victor@tilleuls.example")
    return document_of_proposal(new_proposal("P1", "P2026-00012", quote, dealer, account, contact, seller, "U1", AT))


def measure(doc, render) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(render(doc))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def main() -> int:
    typical, long = document(typical_lines()), document(long_lines())
    start = time.perf_counter()
    from chalicelib.documents.pdf import render_quote  # noqa: E402 (the cold part: fpdf2 import + fonts)

    first = render_quote(typical)
    cold_ms = (time.perf_counter() - start) * 1000
    typical_ms, typical_size = measure(typical, render_quote)
    long_ms, long_size = measure(long, render_quote)
    print(f"PDF render, {RUNS} runs, Python {platform.python_version()} on {platform.machine()}")
    print("| document | median | size |")
    print("| --- | --- | --- |")
    print(f"| first render in the process (imports fpdf2) | {cold_ms:.0f} ms | {len(first) / 1024:.1f} KiB |")
    print(f"| typical proposal (5 lines, 3 pages) | {typical_ms:.0f} ms | {typical_size / 1024:.1f} KiB |")
    print(f"| long proposal (40 lines) | {long_ms:.0f} ms | {long_size / 1024:.1f} KiB |")
    ok = typical_ms <= GOAL_MS
    print(f"goal ≤ {GOAL_MS} ms for the typical proposal: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
