"""`make bench`: runs every benchmark of this folder."""
import importlib
import pkgutil

import bench

for module in pkgutil.iter_modules(bench.__path__):
    if not module.name.startswith("_"):
        importlib.import_module(f"bench.{module.name}").main()
