"""The job-seeker's pages (issue 7): notice, onboarding, advice with "Warum?", plan, my data."""

from fastapi import APIRouter

from frontend.pages.seeker import account, advice, application, handoff, info, mydata, occupation_list, onboarding, plan

SEEKER_PAGES: list[APIRouter] = [
    info.router, occupation_list.router, onboarding.router, advice.router, application.router, plan.router,
    mydata.router, handoff.router, account.router,
]
