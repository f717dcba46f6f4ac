"""Entry point for gunicorn (`wsgi:app`) and `flask --app wsgi …`."""
import gc

from accommnotify import create_app

app = create_app()

# Everything built so far (modules, the app, SQLAlchemy metadata, rule tables) lives as long as the
# process. Frozen, the cyclic collector stops re-scanning it on every full pass: a 500-stay bulk post
# allocates enough to trigger several, and they cost 10-15% of its CPU.
gc.collect()
gc.freeze()
