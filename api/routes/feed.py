"""The outbound feed for case-management software: ``GET /api/v1/feed?after=CURSOR`` (issue 20).

Only for API tokens with ``feed:read``, and only the token's own Jobcenter. Entries come in
commit order with stable ids; a client stores the last ``cursor`` it processed and resumes
after it, so a restart loses nothing (at-least-once: deduplicate on ``id``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.scopes import MachineClient, require_scope
from api.deps import SessionDep
from api.errors import problem_responses
from models.interchange import FeedPageV1
from recommender.records.outbox import MAX_PAGE, feed_page, parse_cursor

router = APIRouter(tags=["integration"], responses=problem_responses(401, 403, 422, 429))
FeedClient = Annotated[MachineClient, require_scope("feed:read")]


@router.get("/feed", response_model=FeedPageV1)
def read_feed(
    client: FeedClient,
    session: SessionDep,
    after: Annotated[str | None, Query(description="A cursor this feed handed out; none: from the start.",
                                       examples=["17"])] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Entries per page.")] = 100,
) -> FeedPageV1:
    """Approved plans, counsellor decisions and outcomes of the token's Jobcenter, after *after*, in commit order."""
    return feed_page(session, jobcenter_id=client.jobcenter_id, after=parse_cursor(after), limit=limit)
