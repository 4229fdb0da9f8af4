"""Signing benchmark: median time to seal, and to add the certificate page then seal, a 2-page proposal.

Run with `python -m bench.seal` (or `make bench`); the results are appended to docs/performance.md
under "## Signing". The seal uses an in-memory development CA (EC P-256), as the tests do.
"""
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from chalicelib.documents import dev_ca
from chalicelib.documents.certificate import CertificateFacts, with_certificate
from chalicelib.documents.sealing import seal
from chalicelib.domain.evidence import Chain, EventKind, append, subject_of

RUNS = 20
REPORT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
SECTION = "## Signing"


def sample_proposal() -> bytes:
    """A 2-page proposal shaped like the real one: header, a table of lines, totals, terms."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "Proposition commerciale OFF-2026-0042", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in range(30):
        pdf.cell(120, 7, f"Ligne {line + 1} : accessoire ou prestation", border="B")
        pdf.cell(0, 7, f"{(line + 1) * 37.5:.2f} EUR", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.multi_cell(0, 5, "Conditions générales de vente. " * 120)
    return bytes(pdf.output())


def sample_facts() -> CertificateFacts:
    chain = Chain.start(subject_of("D1", "P1"))
    events = []
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    kinds = [EventKind.PROPOSAL_SENT, EventKind.LINK_OPENED, EventKind.VIEWED, EventKind.SIGN_FORM_SUBMITTED,
             EventKind.CODE_SENT, EventKind.CODE_VERIFIED, EventKind.ACCEPTED]
    for minute, kind in enumerate(kinds):
        chain, event = append(chain, kind, start + timedelta(minutes=minute), ip="203.0.113.7",
                              user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1")
        events.append(event)
    return CertificateFacts(
        dealer_name="Garage des Tilleuls", proposal_reference="OFF-2026-0042", proposal_version=1,
        signer_name="Zoé Lefèvre", signer_email="zoe@example.com", ip="203.0.113.7",
        user_agent=events[-1].user_agent, consent_text="J'ai lu et j'accepte la proposition commerciale.",
        events=events, chain=chain,
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure() -> dict[str, list[float]]:
    identity = dev_ca.generate()
    proposal = sample_proposal()
    facts = sample_facts()
    # The first call pays for importing pyHanko and parsing the key: what a cold Lambda pays once.
    first = timed(lambda: seal(with_certificate(proposal, facts), identity))
    return {
        "first certificate + seal in a fresh process (imports included)": [first],
        "seal": [timed(lambda: seal(proposal, identity)) for _ in range(RUNS)],
        "certificate page + seal": [timed(lambda: seal(with_certificate(proposal, facts), identity))
                                    for _ in range(RUNS)],
    }


def report(results: dict[str, list[float]]) -> str:
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    rows = "\n".join(
        f"| {name} | {len(times)} | {statistics.median(times):.1f} ms | {max(times):.1f} ms |"
        for name, times in results.items()
    )
    return (
        f"### {today}: 2-page proposal, EC P-256 development seal\n"
        f"Python {platform.python_version()}, pyHanko {version('pyHanko')}, fpdf2 {version('fpdf2')}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}.\n\n"
        "| step | runs | median | max |\n| --- | --- | --- | --- |\n"
        f"{rows}\n"
    )


def record(entry: str) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n"
    head, _, tail = text.partition(SECTION + "\n")
    next_section = tail.find("\n## ")
    body, rest = (tail, "") if next_section < 0 else (tail[:next_section + 1], tail[next_section + 1:])
    REPORT.write_text(f"{head}{SECTION}\n{body.rstrip()}\n\n{entry}\n{rest}".replace("\n\n\n", "\n\n"))


def main() -> None:
    entry = report(measure())
    record(entry)
    sys.stdout.write(entry)


if __name__ == "__main__":
    main()
