"""The page sections of the app, each a router in its own module, registered in one place."""

from __future__ import annotations

from fastapi import APIRouter

from warmline.web import (
    admin_pages,
    assist_page,
    calibration_pages,
    conversations_pages,
    dashboards_pages,
    followups_pages,
    imports_pages,
    journal_pages,
    learn_pages,
    practice_pages,
    privacy_pages,
    results_pages,
    review_reply_page,
    rubric_pages,
    survey_pages,
)


def routers() -> list[APIRouter]:
    """Every page section's router, in menu order."""
    return [
        dashboards_pages.router,
        results_pages.router,
        conversations_pages.router,
        assist_page.router,
        review_reply_page.router,
        learn_pages.router,
        practice_pages.router,
        journal_pages.router,
        followups_pages.router,
        survey_pages.router,
        calibration_pages.router,
        imports_pages.router,
        admin_pages.router,
        privacy_pages.router,
        rubric_pages.router,
    ]
