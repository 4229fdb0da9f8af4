"""`make bench`: runs every benchmark module of this folder (each has a main())."""
import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    wanted = set(sys.argv[1:])
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_") or (wanted and module.name not in wanted):
            continue
        print(f"\n== bench.{module.name}", flush=True)
        importlib.import_module(f"bench.{module.name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
