"""Domain tables, schemas and the database engine.

Bottom layer of Lotse: imports nothing of ours. Everything else reads and writes the
database through the tables and helpers re-exported here.
"""

import models.benchlearning  # noqa: F401  (registers other Jobcenters' imported benchlearning figures)
import models.inbound  # noqa: F401  (registers the external case numbers, hand-off consents and hand-offs)
import models.integration  # noqa: F401  (registers API tokens and the feed outbox)
import models.market  # noqa: F401  (registers the labour-market tables)
import models.plan  # noqa: F401  (registers the job-seeker's plan steps)
import models.staff  # noqa: F401  (registers the staff-side tables: throttling, grants, notes, case mode)
from models.append_only import APPEND_ONLY_MESSAGE, AppendOnlyError
from models.db import DEFAULT_DATABASE_URL, DatabaseURLError, make_engine, session_scope
from models.tables import (
    AdviceModule,
    CaseAssignment,
    Decision,
    DecisionItem,
    Event,
    Feedback,
    Jobcenter,
    JobSeeker,
    Outcome,
    ProfileSnapshot,
    Role,
    SystemFlag,
    Team,
    UserAccount,
)

__all__ = [
    "APPEND_ONLY_MESSAGE",
    "AppendOnlyError",
    "DatabaseURLError",
    "DEFAULT_DATABASE_URL",
    "AdviceModule",
    "CaseAssignment",
    "Decision",
    "DecisionItem",
    "Event",
    "Feedback",
    "JobSeeker",
    "Jobcenter",
    "Outcome",
    "ProfileSnapshot",
    "Role",
    "SystemFlag",
    "Team",
    "UserAccount",
    "make_engine",
    "session_scope",
]
