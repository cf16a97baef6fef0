"""The counsellor journey in a real browser (desktop): sign in, review queue, approve one item,
reject one with a reason, a hostile note stays inert; then the job-seeker sees exactly the
approved item. axe-core checks each counsellor page for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, running_server
from tests.e2e.test_seeker_journey import check_axe

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "e2e journey passphrase"
DESKTOP = {"width": 1280, "height": 900}
APPROVE, REJECT, SELF_HELP = "further_training_voucher", "coaching_voucher_avgs", "cv_documents"


def _prepare(url: str) -> dict[str, str]:
    from sqlmodel import Session

    from api.auth.accounts import create_user
    from data.seed import seed_reference_data
    from models.db import make_engine
    from models.migrate import upgrade
    from models.tables import JobSeeker
    from recommender.casework.journey import NOTICE_VERSION
    from tests.factories import assign_case, make_decision, make_jobcenter, make_team

    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
        center = make_jobcenter(session, code="e2e", name="Jobcenter E2E")
        team = make_team(session, jobcenter=center)
        common = {"password": PASSWORD, "jobcenter_id": center.id, "actor_role": "admin", "actor_id": "e2e"}
        counsellor = create_user(session, username="e2e.beraterin", role="counsellor", team_id=team.id, **common)
        create_user(session, username="e2e.teamleitung", role="team_lead", team_id=team.id, **common)
        seeker_account = create_user(session, username="e2e.person", role="job_seeker", **common)
        seeker = JobSeeker(jobcenter_id=center.id, user_id=seeker_account.id,
                           notice_version_acknowledged=NOTICE_VERSION)
        session.add(seeker)
        session.flush()
        assign_case(session, job_seeker=seeker, counsellor=counsellor)
        decision = make_decision(session, job_seeker=seeker, items=[
            {"module_id": APPROVE, "review_state": "pending_review", "uplift": 0.07},
            {"module_id": REJECT, "review_state": "pending_review", "uplift": 0.06},
            {"module_id": SELF_HELP, "review_state": "not_required", "uplift": 0.05},
        ])
        session.commit()
        ids = {"pseudonym": seeker.pseudonym, "decision": decision.id}
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("e2e-staff")
    url = f"sqlite:///{tmp / 'staff.db'}"
    ids = _prepare(url)
    with running_server(tmp, url, ready_path="/login") as base:
        yield base, ids


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_counsellor_approves_one_rejects_one_and_the_job_seeker_sees_only_the_approved(
    request: pytest.FixtureRequest, browser: Any, staff_server: tuple[str, dict[str, str]]
) -> None:
    base, ids = staff_server
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    request.node._e2e_page = page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(base + "/login")
    check_axe(page, "staff-login")
    _sign_in(page, base, "e2e.beraterin")
    page.wait_for_url("**/staff/caseload")
    check_axe(page, "caseload")

    page.goto(base + "/staff/reviews")
    check_axe(page, "review-queue")
    page.get_by_role("link", name=re.compile(r"Prüfung\W+Weiterbildung mit Bildungsgutschein")).click()
    page.wait_for_url(f"**/decisions/{ids['decision']}*")
    check_axe(page, "decision")

    approve_card = page.locator("section.card", has_text="Bildungsgutschein")
    approve_card.locator("summary", has_text="Freigeben").first.click()
    approve_card.locator("select[name=reason_code]").first.select_option("fits_situation")
    approve_card.get_by_role("button", name="Freigeben", exact=True).click()
    page.wait_for_url("**done=approved*")

    reject_card = page.locator("section.card", has_text="AVGS")
    reject_card.locator("summary", has_text="Ablehnen").click()
    form = reject_card.locator("form", has=page.locator("input[name=action][value=reject]"))
    form.locator("select[name=reason_code]").select_option("not_suitable_now")
    form.locator("textarea[name=reason_text]").fill("Erst nach dem Sprachkurs sinnvoll.")
    form.get_by_role("button", name="Ablehnen", exact=True).click()
    page.wait_for_url("**done=rejected*")
    check_axe(page, "decision-after-review")

    page.goto(f"{base}/staff/cases/{ids['pseudonym']}")
    page.locator("#note-text").fill("<script>alert('x')</script><img src=x onerror=alert(2)>")
    page.get_by_role("button", name="Notiz speichern").click()
    page.wait_for_url("**done=note*")
    check_axe(page, "case")
    assert dialogs == []
    assert "<script>alert('x')</script>" in page.locator(".card p").last.inner_text()

    page.goto(base + "/logout")
    page.get_by_role("button", name="Jetzt abmelden").click()
    page.wait_for_url("**/login?signed_out=1")

    _sign_in(page, base, "e2e.person")
    page.goto(base + "/advice")
    text = page.locator("main").inner_text()
    assert "Bildungsgutschein" in text
    assert "Aktivierungsgutschein" not in text and "AVGS" not in text
    assert dialogs == []
    context.close()


def _overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_staff_pages_fit_768_px_and_job_seeker_pages_320_px(
    request: pytest.FixtureRequest, browser: Any, staff_server: tuple[str, dict[str, str]]
) -> None:
    base, ids = staff_server
    widths: dict[str, int] = {}
    for username, paths, width in (
        ("e2e.beraterin", ["/staff/caseload", "/staff/reviews", f"/staff/cases/{ids['pseudonym']}",
                           f"/staff/cases/{ids['pseudonym']}/decisions/{ids['decision']}"], 768),
        ("e2e.teamleitung", ["/staff/team", "/staff/team/cases", "/staff/reviews", "/staff/benchlearning"], 768),
        ("e2e.person", ["/advice", "/plan", "/my-data"], 320),
    ):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
        page = context.new_page()
        request.node._e2e_page = page
        _sign_in(page, base, username)
        page.wait_for_load_state()
        for path in paths:
            page.goto(base + path)
            widths[f"{path}@{width}"] = _overflow(page)
            page.screenshot(path=str(ARTIFACTS / f"width-{width}-{path.strip('/').replace('/', '_')[:60]}.png"),
                            full_page=True)
        context.close()
    page = browser.new_context(viewport={"width": 320, "height": 700}, locale="de-DE").new_page()
    page.goto(base + "/sign-in")
    widths["/sign-in@320"] = _overflow(page)
    assert {path: px for path, px in widths.items() if px > 0} == {}


def test_team_lead_compares_jobcenters_with_charts_and_tables(
    request: pytest.FixtureRequest, browser: Any, staff_server: tuple[str, dict[str, str]]
) -> None:
    base, _ = staff_server
    page = browser.new_context(viewport={"width": 768, "height": 900}, locale="de-DE").new_page()
    request.node._e2e_page = page
    _sign_in(page, base, "e2e.teamleitung")
    page.get_by_role("link", name="Jobcenter vergleichen").click()
    page.wait_for_url("**/staff/benchlearning")
    check_axe(page, "benchlearning")
    # Every figure of the one-case test Jobcenter is suppressed: tables say so, and no empty chart is drawn.
    assert page.locator("section.kpi img").count() == 0
    assert "nicht gezeigt (unter 10 Personen)" in page.locator("main").inner_text()
    assert "nicht die amtlichen Kennzahlen" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "benchlearning-768.png"), full_page=True)
