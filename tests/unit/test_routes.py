"""The routes table app.py registers lazily (chalicelib/api/routes.py) says what the route modules' blueprints
say: a route added or changed in a module without `make routes` fails here."""
import inspect
import subprocess
import sys

from chalice import Chalice

import app as application
from chalicelib.api.lazy import LazyView, blueprint_routes
from local.routes import ROOT, TABLE, blueprints, render


def test_the_routes_table_is_the_one_make_routes_writes():
    assert TABLE.read_text(encoding="utf-8") == render(application.app), "run `make routes`"


def test_the_app_registers_every_route_of_the_blueprints_with_the_options_chalice_would_give_it():
    # What registering the blueprints themselves gives (the app before routes were lazy), on a scratch app.
    eager = Chalice(app_name="eager")
    views = {}
    for blueprint in blueprints():
        for (path, method), registered in blueprint_routes(blueprint, application.app).items():
            eager.route(path, methods=[method], name=registered.name, **registered.options)(registered.view)
            views[(path, method)] = registered.view
    lazy = {(path, method): entry for path, methods in application.app.routes.items()
            for method, entry in methods.items() if isinstance(entry.view_function, LazyView)}
    assert set(lazy) == set(views)
    for (path, method), entry in lazy.items():
        expected = eager.routes[path][method]
        assert {**vars(entry), "view_function": None} == {**vars(expected), "view_function": None}, (path, method)
        assert entry.view_function.resolve() is views[(path, method)]
        # Chalice's swagger (chalice package) summarizes a route by its view's docstring.
        assert inspect.getdoc(entry.view_function) == inspect.getdoc(expected.view_function)


def test_a_lazy_route_answers_as_its_module_does():
    from chalice.test import Client

    with Client(application.app) as client:
        icon = client.http.get("/p/favicon.svg")
        missing = client.http.get("/app/nothing-here.js")
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/svg+xml"
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/json"


def test_a_refused_method_on_a_portal_path_is_a_page_before_the_portal_module_is_imported():
    probe = (
        "import sys, app\n"
        "from chalice.test import Client\n"
        "with Client(app.app) as client:\n"
        "    refused = client.http.put('/p/favicon.svg')\n"
        "print(refused.status_code, refused.headers['Content-Type'])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "405 text/html; charset=utf-8"
