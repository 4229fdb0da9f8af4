"""Importing the app stays cheap: the route modules (their models, services and libraries) load with the
first request of one of their routes, the PDF and seal libraries only when a document is made, Stripe's
only when a payment is opened or verified, PyJWT's (and cryptography's) only when a token is verified,
Jinja2 only when a page, a letter or an email template is rendered or checked."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_loads_neither_pyhanko_nor_fpdf2_nor_stripe_nor_jinja2():
    probe = ("import sys, app; print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'pyhanko', 'fpdf', 'schwifty', 'stripe', 'jinja2', 'markupsafe', 'facturx', 'holidays'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_importing_the_app_loads_no_jwt_library_only_the_authorizer_verifying_a_token_does():
    probe = "import sys, app; print(sorted({m.split('.')[0] for m in sys.modules} & {'jwt', 'cryptography'}))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_importing_the_app_loads_no_xray_sdk_but_the_first_invocation_traces():
    probe = (
        "import sys, app\n"
        "print('aws_xray_sdk' in sys.modules)\n"
        "from chalice.test import Client\n"
        "with Client(app.app) as client:\n"
        "    client.http.get('/openapi.json')\n"
        "print('aws_xray_sdk' in sys.modules)\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "True"]


def test_importing_the_app_imports_no_route_module_nor_pydantic_the_first_request_imports_its_own():
    probe = (
        "import sys, app\n"
        "def loaded():\n"
        "    return sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_settings', 'boto3')\n"
        "                  or m.startswith(('chalicelib.api.portal', 'chalicelib.api.proposals',\n"
        "                                   'chalicelib.services', 'chalicelib.store', 'chalicelib.domain.model')))\n"
        "print(loaded())\n"
        "from chalice.test import Client\n"
        "with Client(app.app) as client:\n"
        "    assert client.http.get('/p/favicon.svg').status_code == 200\n"
        "print('chalicelib.api.portal' in loaded(), 'chalicelib.api.proposals' in loaded())\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.splitlines() == ["[]", "True False"]


def test_importing_every_route_module_builds_no_domain_model_each_is_built_on_first_use():
    probe = (
        "import app\n"
        "from local.routes import blueprints\n"
        "blueprints()\n"
        "from chalicelib.domain.model import Command, Entity\n"
        "def below(kind):\n"
        "    for sub in kind.__subclasses__():\n"
        "        yield sub\n"
        "        yield from below(sub)\n"
        "models = {*below(Entity), *below(Command)}\n"
        "print(len(models), sorted(m.__name__ for m in models if m.__pydantic_complete__))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    count, built = loaded.stdout.split(" ", 1)
    assert int(count) > 100 and built.strip() == "[]"
