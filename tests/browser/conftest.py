"""Browser tests: the app served over HTTP on the test's local services, driven in Debian's Chromium."""
import json
from pathlib import Path

import pytest
from chalice.config import Config

import app as application
from local.server import create_server, serve
from local import dynamodb_local

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps calling home on a machine with no network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(aws):
    port = dynamodb_local.free_port()
    server = create_server(application.app, Config.create(chalice_stage="test", app_name="offerline",
                                                          project_dir=str(ROOT)), port)
    serve(server)
    yield f"http://127.0.0.1:{port}"
    server.server.shutdown()
    server.server.server_close()


# Module scope: Playwright's sync API holds an event loop on the thread while it runs,
# and other tests of the same worker (pyHanko's validation) start loops of their own.
@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, bypass_csp=True)
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> Path:
    """Saves what the person saw (CI keeps artifacts/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_problems(page) -> list[dict]:
    """axe-core's serious and critical violations on the current page."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
        for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")
    ]
