"""Importing the app stays cheap: the PDF and seal libraries load only when a document is made, Stripe's
only when a payment is opened or verified, PyJWT's (and cryptography's) only when a token is verified."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_loads_neither_pyhanko_nor_fpdf2_nor_stripe():
    probe = ("import sys, app; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyhanko', 'fpdf', 'schwifty', 'stripe'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_importing_the_app_loads_no_jwt_library_only_the_authorizer_verifying_a_token_does():
    probe = "import sys, app; print(sorted({m.split('.')[0] for m in sys.modules} & {'jwt', 'cryptography'}))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
