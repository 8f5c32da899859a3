"""Gunicorn settings for serving the app: ``gunicorn -c gunicorn.conf.py``.

Command-line options override these (``gunicorn -c gunicorn.conf.py -b 0.0.0.0:8000``).

- ``preload_app``: the master imports the app before forking. A missing ``FLASK_SECRET_KEY``
  (or any other configuration error) then stops the master at once with the message naming the
  variable and exit status 1, instead of every worker failing to boot in turn. It also runs the
  start-up data build (``FLASK_DATA_AUTO_BUILD``) once, not once per worker.
- Sync workers, two by default (``WEB_CONCURRENCY`` overrides): each request is a few
  milliseconds of CPU over an in-memory dataset, so one process per core is the fastest layout;
  put a reverse proxy (nginx, see ``deploy/nginx.conf``) in front to deal with slow clients.
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
