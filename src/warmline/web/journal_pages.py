"""Reflection journal pages: private entries with guided prompts, sharing one entry with one
coach, and the author's own patterns over time.

Every entry route answers 404 to anyone but the author, except a read-only view for a coach
the author shared that entry with (:mod:`warmline.store.journal` enforces it). Journal text is
never analysed by the engine.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warmline.store import conversations as convs
from warmline.store import journal
from warmline.store.errors import InvalidInputError
from warmline.store.tables import User
from warmline.web.deps import CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)

#: The guided prompts: form field, question, hint.
PROMPTS: Final = (
    ("felt", "What did I feel?", "During the conversation and afterwards."),
    ("customer_felt", "What did the customer feel?", "What were they afraid of, or hoping for?"),
    ("differently", "What would I do differently?", "One thing to try next time."),
    ("notes", "Anything else", "Free notes, only for you."),
)


@router.get("/journal", response_class=HTMLResponse)
def journal_page(request: Request, session: Db, user: CurrentUser, saved: str = "") -> Response:
    """The caller's own entries, their patterns, and entries shared with them (coaches)."""
    entries = journal.own_entries(session, user)
    return page(
        request,
        "journal_list.html",
        entries=entries,
        months=journal.patterns(entries),
        feelings=journal.FEELINGS,
        shared=journal.shared_with(session, user) if user.role == "coach" else [],
        saved=saved,
    )


@router.get("/journal/new", response_class=HTMLResponse)
def new_entry_page(
    request: Request, session: Db, user: CurrentUser, conversation: str = ""
) -> Response:
    """A new entry with the guided prompts (optionally about one conversation)."""
    return _form(request, session, user, {"conversation_id": conversation})


def _form(
    request: Request,
    session: Db,
    user: User,
    form: dict[str, str],
    *,
    feelings: list[str] | None = None,
    error: str = "",
) -> Response:
    recent, _ = convs.list_conversations(session, user, convs.ConversationFilter(), limit=20)
    return page(
        request,
        "journal_new.html",
        422 if error else 200,
        prompts=PROMPTS,
        feelings=journal.FEELINGS,
        ticked=set(feelings or ()),
        form=form,
        error=error,
        recent=recent,
    )


@router.post("/journal")
async def create_entry(
    request: Request,
    session: Db,
    user: CurrentUser,
    felt: Annotated[str, Form()] = "",
    customer_felt: Annotated[str, Form()] = "",
    differently: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    conversation_id: Annotated[str, Form()] = "",
) -> Response:
    """Save an entry; a bad field shows the form again with the message (422)."""
    form_data = await request.form()
    feelings = [str(f) for f in form_data.getlist("feelings")]
    texts = {
        "felt": felt,
        "customer_felt": customer_felt,
        "differently": differently,
        "notes": notes,
    }
    try:
        entry = journal.create_entry(
            session, user, feelings=feelings, conversation_id=conversation_id, **texts
        )
    except InvalidInputError as exc:
        form = {**texts, "conversation_id": conversation_id}
        return _form(request, session, user, form, feelings=feelings, error=str(exc))
    return RedirectResponse(f"/journal/{entry.id}?saved=1", status_code=303)


@router.get("/journal/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, session: Db, user: CurrentUser, entry_id: int, saved: str = ""
) -> Response:
    """One entry: its author sees it with share controls; a shared coach sees it read-only."""
    entry = journal.get_entry(session, user, entry_id)
    return _entry(request, session, user, entry.id, saved=saved)


def _entry(
    request: Request,
    session: Db,
    user: User,
    entry_id: int,
    *,
    saved: str = "",
    error: str = "",
) -> Response:
    entry = journal.get_entry(session, user, entry_id)
    mine = entry.author_id == user.id
    shares = journal.shares_of(session, entry) if mine else []
    shared_ids = {s.coach_id for s in shares}
    return page(
        request,
        "journal_entry.html",
        422 if error else 200,
        entry=entry,
        mine=mine,
        prompts=PROMPTS,
        conversation=journal.conversation_ref(session, entry),
        shares=shares,
        coaches=[c for c in journal.coaches_for(session, user) if c.id not in shared_ids]
        if mine
        else [],
        saved=saved,
        error=error,
    )


@router.post("/journal/{entry_id}/share")
def share(
    request: Request,
    session: Db,
    user: CurrentUser,
    entry_id: int,
    coach_email: Annotated[str, Form()] = "",
) -> Response:
    """Share this entry, read-only, with one of the author's coaches."""
    journal.own_entry(session, user, entry_id)
    try:
        coach = journal.share_entry(session, user, entry_id, coach_email)
    except InvalidInputError as exc:
        return _entry(request, session, user, entry_id, error=str(exc))
    return RedirectResponse(f"/journal/{entry_id}?saved=shared:{coach.email}", status_code=303)


@router.post("/journal/{entry_id}/unshare")
def unshare(
    session: Db, user: CurrentUser, entry_id: int, coach_email: Annotated[str, Form()] = ""
) -> Response:
    """Stop sharing this entry with that coach."""
    journal.unshare_entry(session, user, entry_id, coach_email)
    return RedirectResponse(f"/journal/{entry_id}?saved=unshared", status_code=303)


@router.post("/journal/{entry_id}/delete")
def delete(session: Db, user: CurrentUser, entry_id: int) -> Response:
    """Delete this entry for good."""
    journal.delete_entry(session, user, entry_id)
    return RedirectResponse("/journal?saved=deleted", status_code=303)


__all__ = ["PROMPTS", "router"]
