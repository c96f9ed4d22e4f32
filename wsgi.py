"""WSGI entry point: ``gunicorn wsgi:app`` in production, ``flask --app wsgi`` for the CLI."""

import gc

from hrfund import create_app

app = create_app()
# What the app loaded lives as long as the process: out of the collector's way (as the gunicorn
# config's post_worker_init does for ``hrfund:create_app()``), so that a full collection walks
# only what requests made (about 100 ms every few dozen requests otherwise).
gc.freeze()
