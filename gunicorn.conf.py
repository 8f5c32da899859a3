"""Gunicorn settings for serving the app: ``gunicorn -c gunicorn.conf.py``.

Command-line options override these (``gunicorn -c gunicorn.conf.py -b 0.0.0.0:8000``).

- ``preload_app``: the master imports the app before forking. A missing ``FLASK_SECRET_KEY``
  (or any other configuration error) then stops the master at once with the message naming the
  variable and exit status 1, instead of every worker failing to boot in turn. It also runs the
  start-up data build (``FLASK_DATA_AUTO_BUILD``) once, not once per worker.
- Sync workers, two by default (``WEB_CONCURRENCY`` overrides): each request is a few
  milliseconds of CPU over an in-memory dataset, so one process per core is the fastest layout.
  A sync worker is held by one connection for as long as the client takes to send its request:
  two idle sockets freeze a bare two-worker instance until ``timeout``. The production layout
  therefore puts nginx in front (``deploy/nginx.conf``), which buffers whole requests and hands
  gunicorn only complete ones; never expose this port to the Internet directly.
- Forwarded headers follow ``FLASK_TRUSTED_PROXY_HOPS``, like the app: with 0 (the default)
  gunicorn believes no ``X-Forwarded-*`` header from anyone (so a forged
  ``X-Forwarded-Proto: https`` cannot make it claim HTTPS); with 1 or more it believes them
  from ``GUNICORN_FORWARDED_ALLOW_IPS`` (default ``*``: the proxy is the only way in).
- Request line and header limits stay at gunicorn's defaults (4094 bytes and 8190 bytes);
  nginx refuses anything longer first (``large_client_header_buffers``), with its own
  security headers, so gunicorn's bare 400/414/431 pages never reach a browser.
- Buffered manual codes are written when a worker exits or is aborted (``compliance/results/codes.py``).
- No control socket: several instances may run on one host, and nothing here uses it.
"""

import os

wsgi_app = "app:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 10
control_socket_disable = True

_hops = int(os.environ.get("FLASK_TRUSTED_PROXY_HOPS") or 0)
if _hops > 0:
    forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}


def _flush_codes(*_args):
    from compliance.results import codes

    codes.flush_all()


worker_exit = lambda server, worker: _flush_codes()  # noqa: E731
worker_int = lambda worker: _flush_codes()  # noqa: E731
worker_abort = lambda worker: _flush_codes()  # noqa: E731
