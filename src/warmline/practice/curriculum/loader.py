"""Reading module files: YAML → validated :class:`~warmline.practice.curriculum.model.Module`.

Every field is checked; a problem raises :class:`~warmline.practice.curriculum.errors.CurriculumError`
naming the file, the field path (``exercises[2].key_facts[0]``) and what was expected. The
modules shipped with Warmline live in ``warmline/practice/curriculum/modules/*.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

import yaml

from warmline.engine.labels import BEHAVIOURS, EMOTIONS
from warmline.practice.curriculum.errors import CurriculumError, UnknownModuleError
from warmline.practice.curriculum.model import (
    KINDS,
    SKILLS,
    ContextTurn,
    Exercise,
    Lesson,
    Module,
)
from warmline.practice.fields import Fields

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID: Final = re.compile(r"[a-z][a-z0-9_-]{1,63}")
_MODULE: Final = (("id", "title", "summary", "order", "lessons", "exercises"), ("assessment",))
_COMMON: Final = ("id", "kind", "skill", "prompt", "model_answer", "poor_example")
#: Per kind: the fields it needs beyond the common ones, and those it may have.
_KIND_FIELDS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "paraphrase": (("context", "key_facts"), ("customer_name", "min_facts", "requires")),
    "name_emotion": (("context", "answer"), ("accept",)),
    "reflect_feeling": (("context",), ("customer_name", "answer", "accept", "requires")),
    "clarifying_question": (("context",), ("customer_name", "key_facts", "requires")),
    "rewrite_macro": (
        ("context", "original", "threshold"),
        ("customer_name", "key_facts", "requires", "use_name"),
    ),
    "graceful_no": (
        ("context", "original"),
        ("customer_name", "key_facts", "requires", "threshold", "use_name"),
    ),
    "spot_bias": (("sentences", "biased"), ("context", "notes")),
    "free_reply": (
        ("context", "threshold"),
        ("customer_name", "key_facts", "requires", "use_name"),
    ),
}


class _Fields(Fields):
    """The shared field checks, plus those only this format needs."""

    __slots__ = ()

    def __init__(self, file: str) -> None:
        super().__init__(file, CurriculumError)

    def ident(self, value: Any, field: str) -> str:
        text = self.text(value, field)
        if not _ID.fullmatch(text):
            self.fail(field, "lower-case letters, digits, - or _, starting with a letter", text)
        return text

    def choice(self, value: Any, field: str, allowed: Iterable[str], what: str) -> str:
        allowed = tuple(allowed)
        if value not in allowed:
            self.fail(field, f"{what} ({', '.join(allowed)})", value)
        return str(value)

    def items(self, value: Any, field: str, *, least: int = 1) -> list[Any]:
        if not isinstance(value, list) or len(value) < least:
            self.fail(field, f"a list of at least {least} item(s)", value)
        return value


def parse_module(data: Any, *, file: str = "<module>") -> Module:
    """Build a Module from parsed YAML *data*; *file* names the source in errors."""
    f = _Fields(file)
    root = f.mapping(data, "", *_MODULE)
    lessons = tuple(
        _lesson(f, v, f"lessons[{i}]") for i, v in enumerate(f.items(root["lessons"], "lessons"))
    )
    exercises = _exercises(f, root["exercises"], "exercises")
    pre: tuple[Exercise, ...] = ()
    post: tuple[Exercise, ...] = ()
    if "assessment" in root:
        phases = f.mapping(root["assessment"], "assessment", ("pre", "post"))
        pre = _exercises(f, phases["pre"], "assessment.pre")
        post = _exercises(f, phases["post"], "assessment.post")
        if [e.kind for e in pre] != [e.kind for e in post]:
            f.fail("assessment.post", "the same kinds of item in the same order as .pre")
    module = Module(
        id=f.ident(root["id"], "id"),
        title=f.text(root["title"], "title"),
        summary=f.text(root["summary"], "summary"),
        order=f.integer(root["order"], "order", 1, 999),
        lessons=lessons,
        exercises=exercises,
        pre=pre,
        post=post,
    )
    _unique(f, [lesson.id for lesson in lessons], "lessons", "lesson")
    _unique(f, [e.id for e in module.items()], "exercises", "exercise or assessment item")
    return module


def _unique(f: _Fields, ids: list[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            f.fail(f"{field}[{i}].id", f"a {what} id not used before in this module", item)
        seen.add(item)


def _lesson(f: _Fields, value: Any, field: str) -> Lesson:
    data = f.mapping(value, field, ("id", "title", "body", "key_points"))
    return Lesson(
        id=f.ident(data["id"], f"{field}.id"),
        title=f.text(data["title"], f"{field}.title"),
        body=f.text(data["body"], f"{field}.body"),
        key_points=f.texts(data["key_points"], f"{field}.key_points"),
    )


def _exercises(f: _Fields, value: Any, field: str) -> tuple[Exercise, ...]:
    return tuple(_exercise(f, v, f"{field}[{i}]") for i, v in enumerate(f.items(value, field)))


def _exercise(f: _Fields, value: Any, field: str) -> Exercise:
    if not isinstance(value, dict):
        f.fail(field, "a mapping of fields", value)
    kind = f.choice(value.get("kind"), f"{field}.kind", KINDS, "an exercise kind")
    needs, may = _KIND_FIELDS[kind]
    data = f.mapping(value, field, (*_COMMON, *needs), may)

    def at(key: str) -> str:
        return f"{field}.{key}"

    answer = data.get("answer")
    if answer is not None:
        answer = f.choice(answer, at("answer"), EMOTIONS, "one of the engine's emotions")
    return Exercise(
        id=f.ident(data["id"], at("id")),
        kind=kind,
        skill=f.choice(data["skill"], at("skill"), SKILLS, "a skill"),
        prompt=f.text(data["prompt"], at("prompt")),
        model_answer=f.text(data["model_answer"], at("model_answer")),
        poor_example=f.text(data["poor_example"], at("poor_example")),
        context=_context(f, data.get("context"), at("context")),
        customer_name=_optional_text(f, data.get("customer_name"), at("customer_name")),
        original=_optional_text(f, data.get("original"), at("original")),
        threshold=None
        if data.get("threshold") is None
        else f.integer(data["threshold"], at("threshold"), 0, 100),
        requires=tuple(
            f.choice(b, f"{at('requires')}[{i}]", BEHAVIOURS, "a behaviour id")
            for i, b in enumerate(f.items(data.get("requires", []), at("requires"), least=0))
        ),
        key_facts=_facts(f, data.get("key_facts"), at("key_facts")),
        min_facts=_min_facts(f, data, at("min_facts")),
        use_name=_flag(f, data.get("use_name", False), at("use_name")),
        answer=answer,
        accept=f.texts(data["accept"], at("accept")) if "accept" in data else (),
        sentences=f.texts(data["sentences"], at("sentences"), least=2)
        if "sentences" in data
        else (),
        biased=_biased(f, data, at("biased")),
        notes=_notes(f, data.get("notes"), at("notes"), len(data.get("sentences") or [])),
    )


def _context(f: _Fields, value: Any, field: str) -> tuple[ContextTurn, ...]:
    """A string is one customer message; a list holds ``{speaker, text}`` turns."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (ContextTurn("customer", f.text(value, field)),)
    turns = []
    for i, item in enumerate(f.items(value, field)):
        turn = f.mapping(item, f"{field}[{i}]", ("speaker", "text"))
        speaker = f.choice(
            turn["speaker"], f"{field}[{i}].speaker", ("customer", "agent"), "a speaker"
        )
        turns.append(ContextTurn(speaker, f.text(turn["text"], f"{field}[{i}].text")))
    if turns[-1].speaker != "customer":
        f.fail(f"{field}[{len(turns) - 1}].speaker", "the last turn to be the customer's", "agent")
    return tuple(turns)


def _optional_text(f: _Fields, value: Any, field: str) -> str | None:
    return None if value is None else f.text(value, field)


def _flag(f: _Fields, value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        f.fail(field, "true or false", value)
    return value


def _facts(f: _Fields, value: Any, field: str) -> tuple[tuple[str, ...], ...]:
    """Each fact is a word or phrase, or a list of alternatives any one of which covers it."""
    if value is None:
        return ()
    facts: list[tuple[str, ...]] = []
    for i, item in enumerate(f.items(value, field)):
        where = f"{field}[{i}]"
        words = (f.text(item, where),) if isinstance(item, str) else f.texts(item, where)
        facts.append(tuple(w.lower() for w in words))
    return tuple(facts)


def _min_facts(f: _Fields, data: Mapping[str, Any], field: str) -> int | None:
    if data.get("min_facts") is None:
        return None
    return f.integer(data["min_facts"], field, 1, len(data["key_facts"]))


def _biased(f: _Fields, data: Mapping[str, Any], field: str) -> tuple[int, ...]:
    if "biased" not in data:
        return ()
    count = len(data["sentences"]) if isinstance(data.get("sentences"), list) else 0
    numbers = f.items(data["biased"], field)
    return tuple(
        sorted({f.integer(n, f"{field}[{i}]", 1, max(count, 1)) for i, n in enumerate(numbers)})
    )


def _notes(f: _Fields, value: Any, field: str, count: int) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        f.fail(field, "a mapping of sentence number to a note", value)
    return {
        f.integer(k, f"{field}.{k}", 1, max(count, 1)): f.text(v, f"{field}.{k}")
        for k, v in value.items()
    }


def load_module(source: Path | Traversable | str) -> Module:
    """Read and validate one module file; raises CurriculumError naming what is wrong."""
    name = source.name if isinstance(source, Traversable) else Path(source).name
    try:
        text = (source if isinstance(source, Traversable) else Path(source)).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurriculumError(name, "", "a readable UTF-8 YAML file", str(exc)) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CurriculumError(name, "", "valid YAML", str(exc).splitlines()[0]) from None
    return parse_module(data, file=name)


def module_folder() -> Traversable:
    """The folder of the shipped module files."""
    return files("warmline.practice.curriculum") / "modules"


@lru_cache(maxsize=1)
def shipped_modules() -> tuple[Module, ...]:
    """Every shipped module, in course order; module ids, orders and assessment ids are unique."""
    found = sorted(
        (load_module(p) for p in module_folder().iterdir() if p.name.endswith(".yaml")),
        key=lambda m: m.order,
    )
    check_curriculum(found)
    return tuple(found)


def check_curriculum(modules: Iterable[Module]) -> None:
    """Raise CurriculumError when modules clash: a shared id, order or assessment item id."""
    ids: set[str] = set()
    orders: set[int] = set()
    items: set[str] = set()
    for m in modules:
        if m.id in ids or m.order in orders:
            raise CurriculumError(m.id, "id/order", "a module id and order no other module has")
        ids.add(m.id)
        orders.add(m.order)
        for item in (*m.pre, *m.post):
            if item.id in items:
                raise CurriculumError(m.id, "assessment", "item ids unique across modules", item.id)
            items.add(item.id)


def get_module(module_id: str) -> Module:
    """The shipped module with this id; UnknownModuleError lists the ids there are."""
    modules = shipped_modules()
    for m in modules:
        if m.id == module_id:
            return m
    raise UnknownModuleError("module", module_id, (m.id for m in modules))


__all__ = [
    "check_curriculum",
    "get_module",
    "load_module",
    "module_folder",
    "parse_module",
    "shipped_modules",
]
