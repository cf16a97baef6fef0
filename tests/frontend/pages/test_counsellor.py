"""Counsellor pages: caseload, queue, decision view, review forms, notes, AI switch; XSS inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from markupsafe import escape
from sqlmodel import Session, select

from api.i18n import LOCALE_COOKIE, gettext
from data.catalogue import load_catalogue
from frontend.pages.counsellor import _BAD_DATE, _DONE
from models.db import session_scope
from models.schemas import Profile
from models.tables import Decision, DecisionItem, Event, JobSeeker
from recommender.casework.review import CONFLICT_ALREADY_REVIEWED, REASON_MISSING
from recommender.decide.decision_path import recommend
from recommender.decide.stored_form import load_record, unpack_guardrails
from recommender.records.chain import verify_chain
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.frontend.staff_pages_util import page_login, post_on_page

pytestmark = pytest.mark.usefixtures("cheap_argon2")


class _ActiveContent(HTMLParser):
    """Collects what a browser would execute: script tags, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed") or (tag in ("img", "svg") and any(
                name.startswith("on") for name, _ in attrs)):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"{tag}[{name}=javascript:]")


def assert_inert(html: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    # Only same-origin script files are allowed by the CSP; none may come from page content.
    assert [f for f in parser.found if f != "script"] == [], parser.found
    assert "<script>" not in html


HOSTILE = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "</textarea><svg onload=alert(1)>",
]


def _item(app: FastAPI, item_id: str) -> DecisionItem:
    with Session(app.state.engine) as session:
        return session.get(DecisionItem, item_id)


def _decision_page(world: StaffWorld) -> str:
    return f"/staff/cases/{world.own_case}/decisions/{world.decision_id}"


def _review_url(world: StaffWorld, item: int = 0) -> str:
    return f"/staff/cases/{world.own_case}/items/{world.item_ids[item]}/review"


def test_caseload_lists_own_cases_only(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    html = client.get("/staff/caseload").text
    assert world.own_case in html
    assert world.colleague_case not in html and world.foreign_case not in html


def test_caseload_filter_open_reviews_hides_cases_without(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, "colleague")
    assert world.colleague_case in client.get("/staff/caseload?open_reviews=true").text
    # The colleague's case has pending items; after reviewing none, it stays listed with the filter.


def test_review_queue_lists_pending_items_of_the_caseload(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    html = client.get("/staff/reviews").text
    assert html.count("/items/") == 0  # the queue links to the decision, not to actions
    assert html.count(f"/staff/cases/{world.own_case}/decisions/{world.decision_id}#item-") == 2


def test_decision_view_shows_inputs_uplift_reasons_rules_and_model(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    html = client.get(_decision_page(world)).text
    assert "lgbm-test-1" in html  # model version
    assert "Berufe im Verkauf (ohne Produktspezialisierung)" in html  # the snapshot's occupation, in words
    assert "+0.06" in html  # expected gain (uplift) of the first item; never a P(job) (G7)
    assert "Sie suchen schon länger." in html  # reason
    assert "§ 81 SGB III" in html  # legal basis of the eligibility rule
    assert html.count('name="action" value="reject"') == 2  # only the two pending items have forms


def test_approve_through_the_form_changes_state(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    response = post_on_page(client, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "approve", "version": 1, "reason_code": "fits_situation"})
    assert response.status_code == 303
    assert "done=approved" in response.headers["location"]
    assert _item(app, world.item_ids[0]).review_state == "approved"
    client.cookies.set(LOCALE_COOKIE, "en")
    assert gettext(_DONE["approved"], "en") in client.get(response.headers["location"]).text


def test_reject_without_reason_is_refused_with_a_message(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    response = post_on_page(client, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "reject", "version": 1, "reason_code": "", "reason_text": ""})
    assert response.status_code == 422
    assert REASON_MISSING in response.text
    assert _item(app, world.item_ids[0]).review_state == "pending_review"


def test_reject_with_reason_code_but_no_text_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    response = post_on_page(client, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "reject", "version": 1, "reason_code": "not_eligible"})
    assert response.status_code == 422
    assert _item(app, world.item_ids[0]).review_state == "pending_review"


def test_second_approval_of_the_same_item_gets_a_clear_conflict(app: FastAPI, world: StaffWorld) -> None:
    first = page_login(app, world.usernames["counsellor"])
    page = first.get(_decision_page(world)).text  # both load version 1
    assert 'name="version" value="1"' in page
    ok = post_on_page(first, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "approve", "version": 1, "reason_code": "fits_situation"})
    assert ok.status_code == 303
    late = post_on_page(first, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "reject", "version": 1, "reason_code": "not_eligible",
        "reason_text": "passt nicht"})
    assert late.status_code == 409
    item = _item(app, world.item_ids[0])
    assert item.review_state == "approved"
    when = item.reviewed_at.strftime("%d.%m.%Y %H:%M UTC")
    assert CONFLICT_ALREADY_REVIEWED.format(state="approved", when=when) in late.text


def test_edit_with_text_and_due_date(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    response = post_on_page(client, _decision_page(world), _review_url(world, 1), {
        "decision_id": world.decision_id, "action": "edit", "version": 1, "reason_code": "wording_clarified",
        "reason_text": "einfacher", "edited_text": "Coaching ab März", "due_date": "2099-03-01"})
    assert response.status_code == 303
    item = _item(app, world.item_ids[1])
    assert item.review_state == "edited" and item.edited_text == "Coaching ab März"
    assert item.due_date.isoformat() == "2099-03-01"


def test_bad_due_date_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    response = post_on_page(client, _decision_page(world), _review_url(world, 1), {
        "decision_id": world.decision_id, "action": "edit", "version": 1, "reason_code": "due_date_changed",
        "reason_text": "x", "due_date": "32.13.2026"})
    assert response.status_code == 422
    assert escape(_BAD_DATE.format(given="32.13.2026")) in response.text


def test_work_without_ai_toggle_needs_reason_and_is_logged(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    page = f"/staff/cases/{world.own_case}"
    refused = post_on_page(client, page, f"{page}/mode", {"without_ai": "yes", "reason": ""})
    assert refused.status_code == 422
    done = post_on_page(client, page, f"{page}/mode", {"without_ai": "yes", "reason": "Person möchte ohne KI"})
    assert done.status_code == 303
    with Session(app.state.engine) as session:
        assert session.exec(select(Event).where(Event.event_type == "case_mode_changed")).one()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_in_every_free_text_field_is_rendered_inert(app: FastAPI, world: StaffWorld, hostile: str) -> None:
    client = page_login(app, world.usernames["counsellor"])
    case_page = f"/staff/cases/{world.own_case}"
    assert post_on_page(client, case_page, f"{case_page}/notes", {"text": hostile, "visible": "yes"}).status_code == 303
    assert post_on_page(client, case_page, f"{case_page}/advice", {"text": hostile}).status_code == 303
    assert post_on_page(client, _decision_page(world), _review_url(world, 1), {
        "decision_id": world.decision_id, "action": "edit", "version": 1, "reason_code": "other",
        "reason_text": hostile, "edited_text": hostile}).status_code == 303
    # Refused input is echoed back into the form: that must be inert too.
    echoed = post_on_page(client, _decision_page(world), _review_url(world), {
        "decision_id": world.decision_id, "action": "reject", "version": 1, "reason_code": "x",
        "reason_text": hostile})
    assert echoed.status_code == 422
    for html in (client.get(case_page).text, client.get(_decision_page(world)).text, echoed.text):
        assert_inert(html)
        if "<" in hostile:
            assert hostile not in html  # shown as text, i.e. escaped


def test_cover_page_opens_colleague_case_only_with_purpose(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    assert client.get(f"/staff/cases/{world.colleague_case}").status_code == 404
    missing = post_on_page(client, "/staff/cover", "/staff/cover", {"pseudonym": world.colleague_case})
    assert missing.status_code == 422
    opened = post_on_page(client, "/staff/cover", "/staff/cover",
                          {"pseudonym": world.colleague_case, "purpose": "vacation_cover"})
    assert opened.status_code == 303
    assert client.get(f"/staff/cases/{world.colleague_case}").status_code == 200
    foreign = post_on_page(client, "/staff/cover", "/staff/cover",
                           {"pseudonym": world.foreign_case, "purpose": "vacation_cover"})
    assert foreign.status_code == 404
    with Session(app.state.engine) as session:
        reads = session.exec(select(Event).where(Event.event_type == "case_accessed",
                                                 Event.case_pseudonym == world.colleague_case)).all()
        assert reads and all("vacation_cover" in (e.reason or "") for e in reads)


def test_team_page_refuses_grouping_by_person(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["team_lead"])
    response = client.get("/staff/team?group_by=counsellor")
    assert response.status_code == 422
    assert "never per person" in response.text


def test_admin_page_creates_account_with_password_shown_once(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["admin"])
    response = post_on_page(client, "/staff/admin", "/staff/admin/users",
                            {"username": "new.counsellor", "role": "counsellor", "display_name": "Neu"})
    assert response.status_code == 201
    assert "new.counsellor" in response.text
    assert "new.counsellor" in client.get("/staff/admin").text
    assert response.text.count("<code>") == 1


def test_admin_kill_switch_needs_reason(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["admin"])
    assert post_on_page(client, "/staff/admin", "/staff/admin/kill-switch", {"on": "yes"}).status_code == 422
    done = post_on_page(client, "/staff/admin", "/staff/admin/kill-switch", {"on": "yes", "reason": "Modellfehler"})
    assert done.status_code == 303
    with Session(app.state.engine) as session:
        assert session.exec(select(Event).where(Event.event_type == "kill_switch_on")).one().reason == "Modellfehler"


@pytest.mark.parametrize("hostile", HOSTILE[:2])
def test_counsellor_text_is_inert_on_the_job_seekers_advice_page(app: FastAPI, world: StaffWorld,
                                                                  hostile: str) -> None:
    from models.db import session_scope
    from models.tables import JobSeeker, UserAccount
    from recommender.casework.journey import NOTICE_VERSION
    from tests.api.staff_util import logged_in
    from tests.factories import assign_case, make_decision

    with session_scope(app.state.engine) as session:
        account = session.get(UserAccount, world.users[world.usernames["job_seeker"]])
        seeker = JobSeeker(jobcenter_id=account.jobcenter_id, user_id=account.id,
                           notice_version_acknowledged=NOTICE_VERSION)
        session.add(seeker)
        session.flush()
        assign_case(session, job_seeker=seeker, counsellor=session.get(UserAccount,
                                                                         world.users[world.usernames["counsellor"]]))
        decision = make_decision(session, job_seeker=seeker, items=[
            {"module_id": "further_training_voucher", "review_state": "pending_review"}])
        pseudonym, decision_id = seeker.pseudonym, decision.id
        item_id = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision_id)).one().id
    counsellor = page_login(app, world.usernames["counsellor"])
    case_page = f"/staff/cases/{pseudonym}"
    assert post_on_page(counsellor, case_page, f"{case_page}/advice", {"text": hostile}).status_code == 303
    edited = post_on_page(counsellor, f"{case_page}/decisions/{decision_id}", f"{case_page}/items/{item_id}/review",
                          {"decision_id": decision_id, "action": "edit", "version": 1, "reason_code": "other",
                           "reason_text": "x", "edited_text": hostile})
    assert edited.status_code == 303
    html = logged_in(app, world.usernames["job_seeker"]).get("/advice").text
    assert_inert(html)
    assert hostile not in html
    assert "&lt;" in html


def test_decision_page_shows_the_guardrails_stored_once_on_the_decision(app: FastAPI, world: StaffWorld) -> None:
    profile = Profile.model_validate({"target_occupation": "62102", "region_ags": "09362", "months_unemployed": 20,
                                      "german_level": "B1", "has_cv": False, "foreign_qualification": True})
    with session_scope(app.state.engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        decision_id = recommend(session, job_seeker=seeker, profile=profile, registry=None,
                                actor_role="job_seeker", actor_id=seeker.pseudonym).decision_id
    with Session(app.state.engine) as session:
        decision = session.get(Decision, decision_id)
        event = session.exec(select(Event).where(Event.decision_id == decision_id,
                                                 Event.event_type == "recommendation_generated")).one()
        report = verify_chain(session)
        assert decision is not None
        guardrails = unpack_guardrails(decision.guardrails, load_record(session.connection(), decision.record_digest))
    assert not event.guardrails  # one copy: on the decision, against the shared record
    assert report.broken is None and not [p for p in report.problems if decision_id in p]
    with Session(app.state.engine) as session:
        offered = set(session.exec(select(DecisionItem.module_id).where(DecisionItem.decision_id == decision_id)))
    texts = {(m.id, r.id): r.reason_de for m in load_catalogue().modules for r in m.eligibility if r.reason_de}
    shown = [g for g in guardrails if g["module_id"] in offered and (g["module_id"], g["rule_id"]) in texts]
    html = page_login(app, world.usernames["counsellor"]).get(
        f"/staff/cases/{world.own_case}/decisions/{decision_id}").text
    assert shown and all(str(escape(texts[(g["module_id"], g["rule_id"])])) in html for g in shown)
