"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'`.

Every value can be overridden from the environment (GUNICORN_*), so the same file serves the
container (compose.yaml) and the systemd unit.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Requests wait on PostgreSQL more than on the CPU: a few threads per process.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that needs more than this is a bug (uploads are capped by MAX_CONTENT_LENGTH;
# publishing a task gives up after ~2 s when Redis is down, the outbox sweep sends later).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so a slow leak never takes the site down. Not too often: a
# shared campaign page is answered at 1,000+ requests/s per worker, and a new worker costs
# 1 to 1.5 s of CPU (bench/README.md, pages): at 2,000 one was replaced every two seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# create_app has no side effects, but the database pool must not be shared across forks.
preload_app = False
# Behind nginx / a load balancer on the same host: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Do not log query strings: receipt and unsubscribe links carry tokens.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(D)sus "%(a)s"'
