"""``interlude run | serve | worker | migrate | doctor``."""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence

from interlude.core.gc_tuning import tune_for_serving
from interlude.core.settings import Settings, get_settings


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def _migrate() -> None:
    from interlude import migrations

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.resolved_database_url)


def uvicorn_options(settings: Settings | None = None) -> dict[str, object]:
    """The uvicorn settings of ``serve`` and ``run`` (bench/bench_api.py serves its reference
    endpoint with the same). uvicorn picks uvloop and httptools, both installed with
    ``uvicorn[standard]``; access lines are not logged (the level is warning anyway).
    Forwarded headers are believed only from ``trusted_proxies`` (uvicorn's own default
    would trust 127.0.0.1, so anything on the host could pose as any client address).
    Request headers must arrive in time and in size (core/http_protocol.py: uvicorn bounds
    neither with httptools)."""
    from interlude.core.http_protocol import bounded_headers_protocol

    settings = settings or get_settings()
    trusted = settings.trusted_proxies
    return {
        "http": bounded_headers_protocol(settings.request_header_timeout_seconds),
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        "log_level": "warning",
        "access_log": False,
    }


def _serve(
    host: str,
    port: int,
    *,
    embedded_worker: bool,
    workers: int,
    before_serving: Callable[[], int] | None = None,
) -> None:
    import uvicorn

    if workers > 1:
        # Separate processes each build their own app through the factory; each has its own
        # database pool (pool_size + max_overflow connections, see core/db.py).
        uvicorn.run(
            "interlude.cli:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **uvicorn_options(),  # type: ignore[arg-type]
        )
        return
    from interlude.app import create_app
    from interlude.core.runtime import Runtime

    settings = get_settings()
    if embedded_worker:  # one process: the embedded worker encrypts on its own event loop
        settings = settings.model_copy(update=EMBEDDED_WORKER)
    app = create_app(Runtime.from_settings(settings), embedded_worker=embedded_worker)
    if before_serving is not None and (code := before_serving()) != 0:
        raise SystemExit(f"interlude: the migration failed (exit code {code})")
    tune_for_serving()
    options = uvicorn_options()
    if embedded_worker:
        # One therapist's requests need no uvloop: the standard loop starts ~4 fewer threads
        # and ~3 MB less RSS (bench/bench_run.py, issue 16). `serve` keeps uvloop.
        options["loop"] = "asyncio"
    uvicorn.run(app, host=host, port=port, **options)  # type: ignore[arg-type]


# `interlude run` serves one therapist: no encryption processes, and a narrow burst pipeline
# (100 rows claimed at a time, one batch out, 8 posts at once) instead of the standalone
# worker's 3 x 500 rows and 64 posts. A 1,000-reminder burst leaves ~7 MB less in the heap
# (bench/bench_run.py, issue 16) and is still sent in about a second.
EMBEDDED_WORKER = {
    "push_encryption_processes": 0,
    "dispatch_batch_size": 100,
    "dispatch_batches_in_flight": 1,
    "push_max_concurrency": 8,
}


def app_factory() -> object:
    from interlude.app import create_app

    app = create_app()
    tune_for_serving()
    return app


def _worker() -> None:
    from interlude.core.runtime import Runtime
    from interlude.worker import Worker

    runtime = Runtime.from_settings(get_settings())
    worker = Worker(runtime, background=False)
    tune_for_serving()
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    worker.run_forever()
    runtime.dispose()


def _reset_link(email: str) -> int:
    """Prints a password reset link for the operator to hand over (works without SMTP)."""
    from interlude.accounts.password_reset import reset_link, reset_token
    from interlude.accounts.service import get_by_email
    from interlude.core.runtime import Runtime

    runtime = Runtime.from_settings(get_settings())
    try:
        with runtime.session() as session:
            user = get_by_email(session=session, email=email)
            if user is None:
                sys.stderr.write(f"No account uses {email}.\n")
                return 1
            token = reset_token(keyring=runtime.keyring, user=user, now=runtime.clock.now())
    finally:
        runtime.dispose()
    sys.stdout.write(
        f"{reset_link(runtime.settings, token)}\n"
        "Give this link to its owner only: it sets a new password for the account, works once "
        "and for 30 minutes.\n"
    )
    return 0


def _doctor() -> int:
    from interlude import doctor
    from interlude.core.clock import SystemClock

    return doctor.report(doctor.run_checks(get_settings(), SystemClock()), sys.stdout)


def _version() -> str:
    from importlib.metadata import version

    return f"interlude {version('interlude')}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interlude", description=__doc__)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("run", "migrate, then serve the API and PWA with the worker in the same process"),
        ("serve", "serve the API and PWA only"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--host", default="127.0.0.1")
        cmd.add_argument("--port", type=int, default=8000)
        if name == "serve":
            cmd.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    sub.add_parser("worker", help="run the scheduler only (sync, plan, dispatch)")
    sub.add_parser("migrate", help="upgrade the database to the newest schema")
    sub.add_parser(
        "doctor", help="check the settings, database and PWA for what breaks a deployment"
    )
    reset = sub.add_parser(
        "reset-link",
        help="print a one-time password reset link for an account (hand it to its owner)",
    )
    reset.add_argument("email")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return _doctor()
    if args.command == "reset-link":
        return _reset_link(args.email)

    settings = get_settings()
    _configure_logging(settings.log_level)
    if args.command == "migrate":
        _migrate()
    elif args.command == "run":
        # The migration runs in a short-lived child while this process imports the app:
        # Alembic (~10 MB of modules) never enters the long-running process, and on two
        # cores the two overlap (issue 16: one process, <= 120 MB, ready <= 3 s).
        migrating = subprocess.Popen([sys.executable, "-m", "interlude.cli", "migrate"])
        _serve(args.host, args.port, embedded_worker=True, workers=1, before_serving=migrating.wait)
    elif args.command == "serve":
        _serve(args.host, args.port, embedded_worker=False, workers=args.workers)
    elif args.command == "worker":
        _worker()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
