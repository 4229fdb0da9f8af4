"""Benchmark: what `import app` costs a cold Lambda, against a bare Chalice + boto3 app.

Each run is a fresh interpreter importing one app (`python -c "import app"`), its CPU time (user +
system) read from the child's rusage: CPU, not wall time, so other work on the machine's 2 shared
cores counts less. The two run in turn, PAIRS times, and the result is the median of the pairs'
ratios. Goal (issue 11): ≤ 1.3. A third interpreter, for the record, also imports the proposals' routes,
as the first request of one of them does (the route modules are imported by their first request:
chalicelib/api/lazy.py). The environment is the dev stage's (.chalice/config.json) without
any endpoint: importing touches no AWS service.

Run: .venv/bin/python -m bench.cold_start   (results go in docs/performance.md, "Cold start")
"""
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = 9
GOAL = 1.3
# The baseline: a Chalice app with one route that will call AWS through boto3.
BARE = (
    "import boto3\n"
    "from chalice import Chalice\n"
    "app = Chalice(app_name='bare')\n"
    "@app.route('/')\n"
    "def index():\n"
    "    return {'regions': boto3.session.Session().get_available_regions('dynamodb')}\n"
)
OFFERLINE = "import app\n"
# For the record, not the goal: what a cold start's first request adds before it calls AWS, with the
# proposals' routes (the largest module: models, services, store) imported as the first /proposals request does.
FIRST_PROPOSALS_REQUEST = "import app\nimport chalicelib.api.proposals\n"


def environment() -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("OFFERLINE_", "POWERTOOLS_", "AWS_ENDPOINT_URL"))}
    return {**kept, "AWS_DEFAULT_REGION": "eu-west-3", "OFFERLINE_STAGE": "dev",
            "POWERTOOLS_SERVICE_NAME": "offerline", "POWERTOOLS_METRICS_NAMESPACE": "Offerline"}


def cpu_seconds(code: str, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    env = environment()
    cpu_seconds(OFFERLINE, env)  # writes the bytecode caches: every measured run reads them, as Lambda's do
    cpu_seconds(BARE, env)
    cpu_seconds(FIRST_PROPOSALS_REQUEST, env)
    bare, offerline, first = [], [], []
    for _ in range(PAIRS):
        bare.append(cpu_seconds(BARE, env))
        offerline.append(cpu_seconds(OFFERLINE, env))
        first.append(cpu_seconds(FIRST_PROPOSALS_REQUEST, env))
    ratio = statistics.median(o / b for o, b in zip(offerline, bare))
    first_ratio = statistics.median(f / b for f, b in zip(first, bare))
    print(f"bare Chalice + boto3: median {statistics.median(bare) * 1000:.0f} ms CPU")
    print(f"import app:           median {statistics.median(offerline) * 1000:.0f} ms CPU")
    print(f"ratio (median of {PAIRS} pairs): {ratio:.2f}  (goal ≤ {GOAL}: {'met' if ratio <= GOAL else 'not met'})")
    print(f"import app + the proposals' routes (a first /proposals request): median "
          f"{statistics.median(first) * 1000:.0f} ms CPU, ratio {first_ratio:.2f} (for the record)")


if __name__ == "__main__":
    main()
