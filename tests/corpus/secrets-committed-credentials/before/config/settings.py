"""Settings for the billing service, read once at start-up."""

import os

DATABASE_URL = os.environ["DATABASE_URL"]
REQUEST_TIMEOUT = 10
