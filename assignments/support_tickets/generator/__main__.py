"""``python -m assignments.support_tickets.generator``."""

import sys

from .generate import main

sys.exit(main())
