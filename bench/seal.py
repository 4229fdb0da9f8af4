"""Signing benchmark: median time to seal, and to add the certificate page then seal, a 2-page proposal.

Run with `python -m bench.seal` (or `make bench`); the results are appended to docs/performance.md
under "## Signing". The seal uses an in-memory development CA (EC P-256), as the tests do, and is
PAdES B-T: the evidence JSON embedded, an RFC 3161 timestamp from the development CA's in-process
authority (RSA 2048, pyHanko's DummyTimeStamper). A production TSA adds its network round trip.
"""
import asyncio
import hashlib
import json
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
from chalicelib.documents.sealing import local_timestamper, seal, validate
from chalicelib.domain.evidence import Chain, EventKind, Signer, append, evidence_document, subject_of

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


def sample_evidence(facts: CertificateFacts) -> bytes:
    document = evidence_document(
        subject=facts.chain.subject, proposal_reference=facts.proposal_reference, proposal_version=1,
        signer=Signer(name=facts.signer_name, email=facts.signer_email), consent_text=facts.consent_text,
        shown_pdf_sha256="0" * 64, shown_pdf_length=1, signed_pdf_sha256=None, events=facts.events,
        head=facts.chain, generated_at=facts.events[-1].at)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure() -> dict[str, list[float]]:
    authority = dev_ca.generate_authority()
    identity, stamper = authority.seal, local_timestamper(authority.tsa)
    proposal = sample_proposal()
    facts = sample_facts()
    proofs = sample_evidence(facts)

    def signed() -> bytes:
        return seal(with_certificate(proposal, facts), identity, evidence=proofs, timestamper=stamper)

    # The first call pays for importing pyHanko and parsing the keys: what a cold Lambda pays once.
    first = timed(signed)
    sealed = signed()
    return {
        "first certificate + seal in a fresh process (imports included)": [first],
        "seal (timestamp, embedded evidence)": [timed(lambda: seal(proposal, identity, evidence=proofs,
                                                                   timestamper=stamper)) for _ in range(RUNS)],
        "certificate page + seal": [timed(signed) for _ in range(RUNS)],
        "the RFC 3161 timestamp alone (in-process TSA, RSA 2048)": [
            timed(lambda: asyncio.run(stamper.async_timestamp(hashlib.sha256(proofs).digest(), "sha256")))
            for _ in range(RUNS)],
        "validate the seal, its timestamp, read the evidence": [
            timed(lambda: validate(sealed, [identity.chain_pem])) for _ in range(RUNS)],
    }


def report(results: dict[str, list[float]]) -> str:
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    rows = "\n".join(
        f"| {name} | {len(times)} | {statistics.median(times):.1f} ms | {max(times):.1f} ms |"
        for name, times in results.items()
    )
    return (
        f"### {today}: 2-page proposal, EC P-256 development seal, PAdES B-T (in-process TSA), evidence embedded\n"
        f"Python {platform.python_version()}, pyHanko {version('pyHanko')}, fpdf2 {version('fpdf2')}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine stretches every figure alike).\n\n"
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
