"""Settings of the API benchmark: the product's, plus a URLconf with one trivial view.

The trivial view is the yardstick (a Django JSON response through the same
middleware, no database); it exists only here, never in the product.
"""

from aftersale.settings import *  # noqa: F403

ROOT_URLCONF = "api_load_site.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
