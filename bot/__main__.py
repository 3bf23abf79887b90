"""``python -m bot`` is ``review-bot``."""

import sys

from bot.cli import main

sys.exit(main())
