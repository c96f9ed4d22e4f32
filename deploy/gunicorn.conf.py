"""gunicorn settings for hrfund: ``gunicorn --config /etc/hrfund/gunicorn.conf.py``.

Every value can be changed from the environment (the systemd unit's EnvironmentFile, or the
container's environment) without editing this file.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = os.environ.get("HRFUND_WSGI_APP", "hrfund:create_app()")
bind = os.environ.get("HRFUND_BIND", "127.0.0.1:8000").split(",")

# Sync workers: the app is database-bound and its requests short, except exports. 2 × CPUs + 1
# (gunicorn's advice) keeps the CPUs busy while some workers wait for PostgreSQL.
workers = _int("GUNICORN_WORKERS", 0) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"

# The longest request is a streamed export (CSV/XLSX of the ledger, the applications or the
# training records; hundreds of thousands of rows at the TMG's size). 300 s leaves it room; the
# proxy's proxy_read_timeout (deploy/nginx.conf) is the same. A worker stuck longer is killed.
timeout = _int("GUNICORN_TIMEOUT", 300)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 60)  # systemd's TimeoutStopSec is longer
keepalive = 5  # behind nginx, which keeps its upstream connections open

# Recycle workers now and then (staggered), so that slow leaks never add up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The reverse proxies whose X-Forwarded-* headers gunicorn trusts (comma-separated addresses).
# The app trusts HRFUND_PROXY_HOPS hops itself (ProxyFix); keep both to the same proxies.
forwarded_allow_ips = os.environ.get("HRFUND_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Worker heartbeat files go to the default temporary folder: under systemd, PrivateTmp's own
# /tmp (ProtectSystem=strict leaves it writable).

# gunicorn's control socket (gunicornc): under systemd in RuntimeDirectory (/run/hrfund), as the
# home directory is read-only there; elsewhere gunicorn's default ($HOME/.gunicorn).
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# With HRFUND_LOG_FORMAT=json the app writes one JSON access line per request, with the user and
# the request id; gunicorn's own would be a second, poorer line.
if os.environ.get("HRFUND_LOG_FORMAT", "text").lower() == "json":
    accesslog = None
    # gunicorn's own messages (start, worker timeouts) as JSON lines too, through the app's
    # formatter; the app's records reach the same stream through the root logger.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hrfund.core.logging.JSONFormatter"}},
        # gunicorn merges this over its defaults key by key: the root's "console" is needed too
        "root": {"level": "INFO", "handlers": ["console"]},
        "handlers": {
            name: {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}
            for name, stream in (
                ("console", "ext://sys.stdout"),
                ("error_console", "ext://sys.stderr"),
            )
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}
        },
    }
else:
    accesslog = "-"
    # client, time, request line, status, bytes, duration (ms), request id (sent by the app)
    access_log_format = (
        '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
    )


def post_worker_init(worker):
    """Once the worker has loaded the app: what it loaded (routes, mappers, compiled templates,
    catalogs) lives as long as the process, and the collector need not walk it again. A full
    collection walked about 200,000 such objects, some 100 ms every few dozen requests."""
    import gc

    gc.freeze()
