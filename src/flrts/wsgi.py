"""The WSGI application of the web tier (one per gunicorn worker process)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flrts.settings")
application = get_wsgi_application()

# Load the parser's data now, so the first message this worker parses is as fast as the rest.
# In the background: the worker serves health checks and desk pages meanwhile.
from flrts.nlp.warmup import warm_up_in_background  # noqa: E402

parser_warm_up = warm_up_in_background()
