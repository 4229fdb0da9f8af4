"""Runs one scheduled job now, against the running local stack: `python -m local.run_job NAME`.

Give it the same port variables as the `make dev` it talks to (defaults otherwise).
"""
import sys

from local import scheduler, server, services, stream


def main(argv: list[str]) -> int:
    ports = services.ports_from_env()
    services.use_local_environment(ports)
    app, config = server.load_app()
    names = scheduler.schedule_names(app)
    if len(argv) != 1 or argv[0] not in names:
        print(f"usage: python -m local.run_job NAME; jobs: {', '.join(names) or 'none yet'}", file=sys.stderr)
        return 2
    stopped = [port for port in (ports.dynamodb, ports.moto) if services.is_free(port.number)]
    if stopped:
        print(f"{stopped[0].serves} is not running on port {stopped[0].number}: start `make dev` first",
              file=sys.stderr)
        return 1
    scheduler.run_job(app, config, argv[0])
    sent = stream.deliver_new_records(app, config)
    print(f"{argv[0]}: done ({sent} stream records handed to the app)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
