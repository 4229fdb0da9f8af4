"""Routes registered without importing their modules: a cold Lambda imports only the module of the route it serves.

`app.py` registers every row of the generated table (`chalicelib/api/routes.py`, written by `make routes`
from the route modules' own blueprints) with Chalice's `app.route`, each with a `LazyView`: the route's
options (methods, authorizer, content types, CORS, API key, docstring) are in `app.routes` from the start,
so `chalice package`, the local server and the OpenAPI document see every route, while the view's module
(its models, services, libraries) is imported by the first request of one of its routes.

The real view is the one the module's blueprint registers: its deferred registrations are run against a
`_Collector` standing for the app (never registered twice on the app itself, whose `_register_route`
consumes the options it is given). `tests/unit/test_routes.py` checks the table against the blueprints.
"""
import functools
import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from chalice import Blueprint, Chalice


@dataclass(frozen=True)
class Route:
    """One method of one path, as the module's blueprint registers it (Chalice's RouteEntry, minus the view)."""
    path: str
    method: str
    name: str
    module: str
    authorizer: Any = None
    api_key_required: bool | None = None
    content_types: tuple[str, ...] = ("application/json",)
    cors: bool = False
    doc: str | None = None


@dataclass(frozen=True)
class Registered:
    """A route as a blueprint asks Chalice to register it."""
    name: str
    view: Callable[..., Any]
    options: dict[str, Any]


class LazyView:
    """Stands for a route's view in app.routes until the first call imports its module."""

    def __init__(self, route: Route, app: Chalice):
        self.route, self._app = route, app
        self.__name__ = route.name
        self.__module__ = route.module
        self.__doc__ = route.doc  # Chalice's swagger reads the view's docstring for the route's summary
        self._view: Callable[..., Any] | None = None

    def __call__(self, **params: str) -> Any:
        return self.resolve()(**params)

    def resolve(self) -> Callable[..., Any]:
        if self._view is None:
            self._view = real_view(self.route, self._app)
        return self._view

    @property
    def operation(self) -> Any:
        """What the OpenAPI document says of an `endpoint` route (AttributeError for a plain route)."""
        return getattr(self.resolve(), "operation")


def register(app: Chalice, routes: tuple[Route, ...]) -> None:
    for route in routes:
        app.route(route.path, methods=[route.method], name=route.name, authorizer=route.authorizer,
                  api_key_required=route.api_key_required, content_types=list(route.content_types),
                  cors=route.cors)(LazyView(route, app))


def real_view(route: Route, app: Chalice) -> Callable[..., Any]:
    """The view the route's module registers for its path and method (importing the module)."""
    found = _imported(route.module, app).get((route.path, route.method))
    if found is None:
        raise LookupError(f"{route.module} registers no {route.method} {route.path}: run `make routes`")
    return found.view


def function(app: Chalice, module: str, name: str) -> Callable[..., Any]:
    """`module.name`, the module imported (its blueprints bound to the app) by the first call: for what
    app.py needs before any route of the module ran (the portal's error page reads its request)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        _imported(module, app)
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


@functools.lru_cache(maxsize=None)
def _imported(name: str, app: Chalice) -> dict[tuple[str, str], Registered]:
    """The routes of the blueprints a module holds (its own, or one it adds routes to), bound to the app."""
    module = importlib.import_module(name)
    routes: dict[tuple[str, str], Registered] = {}
    for blueprint in {id(v): v for v in vars(module).values() if isinstance(v, Blueprint)}.values():
        routes |= blueprint_routes(blueprint, app)
    return routes


def blueprint_routes(blueprint: Blueprint, app: Chalice) -> dict[tuple[str, str], Registered]:
    """Every route of the blueprint by (path, method); the blueprint is bound to `app` (its current_request)."""
    collector = _Collector(app)
    blueprint.register(collector, {"name_prefix": None, "url_prefix": None})  # type: ignore[arg-type]
    return collector.routes


class _Collector:
    """Stands for the app while a blueprint's deferred registrations run: keeps its routes, and answers
    what the blueprint's views read at request time (current_request, lambda_context, log) from the app."""

    def __init__(self, app: Chalice):
        self._app = app
        self.routes: dict[tuple[str, str], Registered] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def _register_handler(self, handler_type: str, name: str, user_handler: Callable[..., Any],
                          wrapped_handler: Any, kwargs: dict[str, Any], options: Any = None) -> None:
        if handler_type != "route":
            raise TypeError(f"{name}: a {handler_type} cannot be registered lazily; register its blueprint in app.py")
        options = dict(kwargs["kwargs"])
        for method in options.pop("methods", ["GET"]):
            self.routes[(kwargs["path"], method)] = Registered(name, user_handler, options)

    def register_middleware(self, func: Callable[..., Any], event_type: str = "all") -> None:
        raise TypeError("a blueprint with middleware cannot be registered lazily; register it in app.py")


def route_of(path: str, method: str, name: str, view: Callable[..., Any], options: dict[str, Any]) -> Route:
    """The table's row for a route a blueprint registers (what `make routes` writes)."""
    defaults = Route(path, method, name, view.__module__)
    cors = options.get("cors", defaults.cors)
    if not isinstance(cors, bool):
        raise TypeError(f"{method} {path}: only cors=True/False can be written in the routes table")
    return Route(
        path=path, method=method, name=name, module=view.__module__,
        authorizer=options.get("authorizer"),
        api_key_required=options.get("api_key_required"),
        content_types=tuple(options.get("content_types", defaults.content_types)),
        cors=cors,
        doc=inspect.getdoc(view),
    )
