"""Settings for the billing service, read once at start-up."""

import os

DATABASE_URL = os.environ["DATABASE_URL"]
REQUEST_TIMEOUT = 10

# Until the vault integration lands, the reporting job logs in with a fixed account.
REPORTING_USER = "reporting"
REPORTING_PASSWORD = "Tr0ub4dor-and-3-fake-horses"  # EXPECT: hard-coded password
