"""What publishing does with a planned item at a given time (the plan's ``status``).

In the core: the calendar judges it (:meth:`smmgen.models.timing.Calendar.status`),
the plan and the publish run use it, and the reports show it.

- ``scheduled``: in the future, nothing in the way;
- ``due``: its time has come and it would be published now;
- ``blocked``: its time falls in a blackout, or publishing is frozen;
- ``missed``: later than ``max_lateness``: reported, never published;
- ``draft``: a draft, never published.
"""

from typing import Literal

Status = Literal["scheduled", "due", "blocked", "missed", "draft"]
