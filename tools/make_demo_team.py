"""Write src/warmline/examples/demo_team.jsonl, the Northwind Home demo team's conversations.

Northwind Home is a fictional online home-goods shop with a monthly "Northwind Box"
subscription. Its two teams (Northwind Care, Northwind Billing) and their agents are described
in src/warmline/examples/demo_team.yaml; everything the conversations say comes from the YAML
content in tools/demo_team/ (people.yaml, talk.yaml and one file per topic).

Each conversation is composed turn by turn: the customer opens on a topic with a feeling; each
agent reply is drawn at a quality tier (great, good, flat, poor) that the agent's style makes
more or less likely; the customer's "heat" (0 calm ... 4 furious) cools after good replies and
rises after poor ones, and their next message reacts to the reply they just got. So strong
agents de-escalate and weak ones escalate, and Warmline's engine has something real to find.

The output is deterministic: the same content and seed give the same bytes on every run.

    python tools/make_demo_team.py            # rewrite the jsonl
    python tools/make_demo_team.py --check    # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "tools" / "demo_team"
TEAM_FILE = ROOT / "src" / "warmline" / "examples" / "demo_team.yaml"
OUTPUT = ROOT / "src" / "warmline" / "examples" / "demo_team.jsonl"

SEED = 20261120
LAST_DAY = date(2026, 11, 20)
DAYS = 42
#: US Pacific time: daylight saving ends at 02:00 on 1 November 2026.
DST_END = datetime(2026, 11, 1, 2, 0)

#: How heated a customer starts, by the feeling they open with.
MOOD_HEAT = {"calm": 0, "confused": 1, "worried": 2, "sad": 2, "frustrated": 2, "angry": 3}
TIERS = ("great", "good", "flat", "poor")
THREAD = {"chat": "chat", "email": "ticket", "phone": "call", "social": "conversation"}

#: Turn plans: the steps of a conversation, by how many turns it has.
FIX_PLANS = {
    2: ["open", "fix"],
    3: ["open", "fix", "final"],
    4: ["open", "ask", "detail", "fix"],
    5: ["open", "ask", "detail", "fix", "final"],
    6: ["open", "ask", "detail", "fix", "final", "close"],
    7: ["open", "ask", "detail", "fix", "pushback", "followup", "final"],
    8: ["open", "ask", "detail", "fix", "pushback", "followup", "final", "close"],
    9: ["open", "ask", "detail", "fix", "pushback", "followup", "pushback", "followup", "final"],
    10: [
        "open",
        "ask",
        "detail",
        "fix",
        "pushback",
        "followup",
        "pushback",
        "followup",
        "final",
        "close",
    ],
}
FIX_LENGTHS = {2: 6, 3: 6, 4: 14, 5: 12, 6: 20, 7: 12, 8: 14, 9: 6, 10: 10}
INFO_PLANS = {
    2: ["open", "fix"],
    3: ["open", "fix", "final"],
    4: ["open", "fix", "final", "close"],
}
INFO_LENGTHS = {2: 5, 3: 4, 4: 3}


@dataclass(frozen=True)
class Agent:
    """One agent: the id their conversations carry, display name, team and style."""

    agent_id: str
    name: str
    team: str
    style: str

    @property
    def first(self) -> str:
        """The first name the agent signs with."""
        return self.name.split()[0]


@dataclass(frozen=True)
class Content:
    """Everything the generator draws from, loaded from YAML."""

    agents: list[Agent]
    people: dict[str, Any]
    talk: dict[str, Any]
    topics: dict[str, dict[str, Any]]


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_content(team_file: Path = TEAM_FILE, content_dir: Path = CONTENT) -> Content:
    """Read the team description and the conversation content."""
    team = _load_yaml(team_file)
    people = _load_yaml(content_dir / "people.yaml")
    agents = [
        Agent(u["agent_id"], u["display_name"], u["teams"][0], people["styles"][u["agent_id"]])
        for u in team["users"]
        if u["role"] == "agent"
    ]
    topics = {p.stem: _load_yaml(p) for p in sorted((content_dir / "topics").glob("*.yaml"))}
    return Content(agents, people, _load_yaml(content_dir / "talk.yaml"), topics)


# --- placeholders -----------------------------------------------------------------------------


def _weekday(day: date) -> str:
    """The weekday name of *day*, moved off Sunday (no deliveries then)."""
    if day.weekday() == 6:
        day += timedelta(days=1)
    return day.strftime("%A")


def _money(value: float) -> str:
    return f"${value:,.2f}"


def make_context(
    rng: random.Random, content: Content, topic: dict[str, Any], agent: Agent, start: datetime
) -> dict[str, str]:
    """The placeholder values of one conversation: names, order, item, money, days, PII."""
    people = content.people
    item = rng.choice(people["items"][topic["items"]])
    gift = rng.choice(people["gifts"])
    price = float(item["price"])
    amount = price if topic["kind"] != "refuse" else round(price * rng.choice((0.15, 0.2, 0.3)))
    pii = people["pii"]
    return {
        "agent": agent.first,
        "team": agent.team,
        "order": f"NW-{rng.randint(300000, 899999)}",
        "item": item["name"],
        "a_item": ("an " if item["name"][0] in "aeiou" else "a ") + item["name"],
        "price": _money(price),
        "amount": _money(amount),
        "fee": rng.choice(("$7.95", "$9.95", "$12.95")),
        "credit": rng.choice(("$10", "$15", "$20")),
        "plan_price": "$34",
        "code": rng.choice(people["promo_codes"]),
        "days": str(rng.randint(3, 9)),
        "due_day": _weekday(start.date() - timedelta(days=rng.randint(2, 5))),
        "next_day": _weekday(start.date() + timedelta(days=2)),
        "follow_day": _weekday(start.date() + timedelta(days=rng.randint(3, 4))),
        "recipient": gift["recipient"],
        "recipient_cap": gift["recipient"][0].upper() + gift["recipient"][1:],
        "occasion": gift["occasion"],
        # How the agent refers to them: "my wife" becomes "your wife".
        "your_recipient": _yours(gift["recipient"]),
        "your_occasion": _yours(gift["occasion"]),
        "email": rng.choice(pii["emails"]),
        "phone": rng.choice(pii["phones"]),
        "street": rng.choice(pii["streets"]),
        "city": rng.choice(pii["cities"]),
    }


def _yours(phrase: str) -> str:
    return re.sub(r"^(my|our) ", "your ", phrase)


def fill(text: str, ctx: dict[str, str]) -> str:
    """Fill *text*'s placeholders; a filled-in value may hold placeholders of its own."""
    for _ in range(3):
        if "{" not in text:
            break
        text = text.format_map(ctx)
    return text


def drop_name(text: str, first: str) -> str:
    """Remove the customer's name from *text* (when the greeting just used it)."""
    text = text.replace(f", {first}", "")
    if text.startswith(f"{first}, "):
        text = text[len(first) + 2 :]
        text = text[:1].upper() + text[1:]
    return text


# --- one conversation -------------------------------------------------------------------------


@dataclass
class Scene:
    """The state of one conversation while it is being written."""

    rng: random.Random
    content: Content
    topic: dict[str, Any]
    agent: Agent
    channel: str
    ctx: dict[str, str]
    mood: str
    heat: int
    question: dict[str, Any] | None = None
    last_tier: str | None = None
    agent_turns: int = 0
    asked: list[int] = field(default_factory=list)
    pushback: dict[str, Any] | None = None
    used: set[str] = field(default_factory=set)

    def pick(self, options: list[str]) -> str:
        """One option, filled in; options already used in this conversation come last."""
        choice = self.rng.choice([o for o in options if o not in self.used] or options)
        if choice:
            self.used.add(choice)
        return fill(choice, self.ctx)

    def tier(self) -> str:
        """The quality of the next agent reply, drawn from the agent's style."""
        mix = self.content.people["tiers"][self.agent.style]
        names = [t for t in TIERS if t in mix]
        return self.rng.choices(names, weights=[mix[t] for t in names])[0]

    def feeling(self) -> str:
        """What the customer feels now, for choosing the agent's empathy line."""
        if self.heat == 0:
            return "calm"
        if self.heat >= 3:
            return "sad" if self.mood == "sad" else "angry"
        if self.heat == 1:
            return "confused" if self.mood == "confused" else "mild"
        return (
            self.mood if self.mood in ("confused", "worried", "sad", "frustrated") else "frustrated"
        )

    def cool_or_heat(self, tier: str) -> None:
        """Move the customer's heat after an agent reply of *tier*."""
        if tier == "great":
            delta = -2 if self.heat >= 3 else -1
        elif tier == "good":
            delta = -1 if self.heat <= 2 or self.rng.random() < 0.5 else 0
        elif tier == "flat":
            # A grieving customer is hurt by a curt reply but rarely turns on the agent.
            delta = 1 if self.heat >= 2 and self.mood != "sad" and self.rng.random() < 0.6 else 0
        else:
            delta = 2 if self.heat >= 2 and self.rng.random() < 0.4 else 1
        self.heat = max(0, min(4, self.heat + delta))


def _nearest(pools: dict[str, list[str]], heat: int) -> list[str]:
    """The pool for *heat*, or for the nearest heat that has one."""
    keys = sorted(int(k) for k in pools)
    return pools[str(min(keys, key=lambda k: (abs(k - heat), -k)))]


def customer_turn(scene: Scene, step: str) -> str:
    """Write the customer's turn for *step* (open, detail, pushback or final)."""
    talk, topic = scene.content.talk, scene.topic
    if step == "open":
        options = [scene.question["open"]] if scene.question else topic["open"][scene.mood]
        body = scene.pick(options)
        return _wrap_customer(scene, body, first=True)
    if step == "final":
        heat = scene.heat if scene.heat or scene.last_tier == "great" else 1
        own = topic.get("final", {}).get(str(heat))
        pool = own if own and scene.rng.random() < 0.7 else _nearest(talk["final"], heat)
        return _wrap_customer(scene, scene.pick(pool))
    reaction = scene.pick(_nearest(talk["react"][scene.last_tier or "good"], scene.heat))
    if step == "detail":
        body = scene.pick(topic["detail"])
    else:
        scene.pushback = _next_pushback(scene)
        body = fill(scene.pushback["ask"], scene.ctx)
    return _wrap_customer(scene, f"{reaction} {body}")


def _next_pushback(scene: Scene) -> dict[str, Any]:
    """A follow-up question not asked yet, that fits how the last reply went; the topic's first.

    After a poor reply, or a flat one to an upset customer, the customer pushes back
    (``after: bad``); otherwise they ask about the fix.
    """
    skip = set(scene.topic.get("skip_pushback", ()))
    pool = scene.topic.get("pushback", []) + scene.content.talk["pushback"]
    unhappy = scene.last_tier == "poor" or (scene.last_tier == "flat" and scene.heat >= 2)
    unasked = [i for i in range(len(pool)) if i not in scene.asked]
    fresh = [
        i
        for i in unasked
        if (pool[i].get("after") == "bad") == unhappy and pool[i].get("id") not in skip
    ] or unasked
    own = [i for i in fresh if i < len(scene.topic.get("pushback", []))]
    index = scene.rng.choice(own if own and scene.rng.random() < 0.75 else fresh)
    scene.asked.append(index)
    return pool[index]


def _wrap_customer(scene: Scene, body: str, *, first: bool = False) -> str:
    """Dress a customer message for its channel: greetings on phone and social, email framing."""
    talk, channel = scene.content.talk, scene.channel
    if channel == "email":
        hello = scene.rng.choice(talk["customer_open"]["email"]) + "\n\n" if first else ""
        return f"{hello}{body}\n\n{scene.pick(talk['customer_signoff'])}"
    if first:
        opener = scene.rng.choice(talk["customer_open"][channel])
        return f"{opener} {body}" if opener else body
    return body


def agent_turn(scene: Scene, step: str, *, last: bool) -> str:
    """Write the agent's turn for *step* (ask, fix, followup or close) at a drawn tier."""
    tier = scene.tier()
    if step == "close":
        state = "settled" if scene.heat <= 1 else "upset"
        body = scene.pick(scene.content.talk["close"][tier][state])
    else:
        body = _agent_body(scene, step, tier, last=last)
    text = _wrap_agent(scene, tier, body)
    scene.agent_turns += 1
    scene.last_tier = tier
    scene.cool_or_heat(tier)
    return text


def _agent_body(scene: Scene, step: str, tier: str, *, last: bool) -> str:
    """Empathy line (when the moment calls for one) plus the step's substance."""
    if step == "followup":
        main = scene.pick(scene.pushback["reply"][tier])
    else:
        source = scene.question if step == "fix" and scene.question else scene.topic
        main = scene.pick(source[step][tier])
        if not scene.agent_turns:
            main = _drop_thanks(main)
    empathy = _empathy(scene, step, tier)
    parts = _with_empathy(main, empathy, scene.ctx["first"])
    if last and tier == "poor" and scene.heat >= 2 and scene.rng.random() < 0.5:
        parts.append(scene.pick(scene.content.talk["close"]["poor"]["upset"]))
    return " ".join(p for p in parts if p)


def _empathy(scene: Scene, step: str, tier: str) -> str:
    """An empathy line for the customer's current feeling, or "" when none fits.

    Great replies always meet a negative feeling; good ones usually do; flat ones rarely go
    beyond "I understand"; poor ones reach for the stock phrase whatever the customer said.
    Some topics write their own empathy into a step (``own_empathy``), so none is added there.
    """
    pools = scene.content.talk["empathy"][tier]
    feeling = scene.feeling()
    if tier == "flat":
        return scene.pick(pools["any"]) if feeling != "calm" else ""
    if tier == "poor":
        return scene.pick(pools.get(feeling, pools["mild"]))
    if step in scene.topic.get("own_empathy", ()) or feeling in ("calm", "mild"):
        return ""
    wanted = scene.heat >= 2 or step == "ask"
    # A good reply sometimes skips past mild frustration; never past worry, grief or anger.
    skips = tier == "good" and feeling in ("frustrated", "confused") and scene.rng.random() < 0.3
    if not wanted or skips:
        return ""
    return scene.pick(pools[feeling])


def _drop_thanks(main: str) -> str:
    """Remove an opening "Thanks, Dana." that only makes sense after the customer's answer."""
    head, dot, rest = main.partition(". ")
    if main.startswith("Thank") and dot and len(head) < 30:
        return rest
    return main


def _with_empathy(main: str, empathy: str, first: str) -> list[str]:
    """Put the empathy line first, or after a reply's opening "Thanks, Dana." sentence."""
    if not empathy:
        return [main]
    head, dot, rest = main.partition(". ")
    if not (main.startswith("Thank") and dot and len(head) < 30):
        return [empathy, main]
    if first in head:
        return [head + ".", drop_name(empathy, first), rest]
    return [empathy, rest]  # a bare "Thanks." after the empathy line reads oddly


def _wrap_agent(scene: Scene, tier: str, body: str) -> str:
    """Add the channel's greeting (every email; the first reply elsewhere) and email sign-off."""
    talk, channel = scene.content.talk, scene.channel
    if channel != "email" and scene.agent_turns:
        return body
    hello = scene.pick(talk["greeting"][channel][tier])
    if scene.ctx["first"] in hello:
        body = drop_name(body, scene.ctx["first"])
    if channel == "email":
        return f"{hello}\n\n{body}\n\n{scene.pick(talk['signoff'][tier])}"
    return f"{hello} {body}"


# --- schedule and timestamps ------------------------------------------------------------------


def schedule(rng: random.Random, content: Content) -> list[tuple[datetime, Agent]]:
    """When each conversation starts and who takes it, in time order."""
    volume = content.people["volume"]
    slots = [agent for agent in content.agents for _ in range(volume[agent.agent_id])]
    rng.shuffle(slots)
    first_day = LAST_DAY - timedelta(days=DAYS - 1)
    days = [first_day + timedelta(days=i) for i in range(DAYS)]
    weights = [0.55 if d.weekday() >= 5 else 1.0 for d in days]
    hours = list(range(8, 20))
    hour_weights = [3, 6, 7, 6, 5, 5, 6, 6, 5, 4, 3, 2]
    starts = []
    for agent in slots:
        day = rng.choices(days, weights=weights)[0]
        hour = rng.choices(hours, weights=hour_weights)[0]
        moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
        starts.append((moment, agent))
    return sorted(starts, key=lambda pair: (pair[0], pair[1].agent_id))


#: Seconds between turns by channel: (customer waits for the agent, agent waits for the customer).
GAPS = {
    "chat": ((40, 240), (20, 150)),
    "phone": ((8, 60), (5, 40)),
    "email": ((3600, 6 * 3600), (1800, 20 * 3600)),
    "social": ((600, 5400), (300, 7200)),
}


def turn_times(
    rng: random.Random, start: datetime, channel: str, speakers: list[str]
) -> list[datetime]:
    """A realistic time for each turn: seconds apart on chat and phone, hours apart on email."""
    times, moment = [start], start
    for speaker in speakers[1:]:
        low, high = GAPS[channel][0 if speaker == "agent" else 1]
        moment = _awake(rng, moment + timedelta(seconds=rng.randint(low, high)), speaker)
        times.append(moment)
    overshoot = times[-1].date() - LAST_DAY
    if overshoot.days > 0:
        times = [t - overshoot for t in times]
    return times


def _awake(rng: random.Random, moment: datetime, speaker: str) -> datetime:
    """Move a reply that would land at night to the next morning (agents work 8:00-20:00)."""
    opens, closes = (8, 20) if speaker == "agent" else (7, 23)
    if opens <= moment.hour < closes:
        return moment
    if moment.hour >= closes:
        moment += timedelta(days=1)
    return moment.replace(hour=opens, minute=rng.randrange(60), second=rng.randrange(60))


def iso(moment: datetime) -> str:
    """ISO 8601 with the Pacific offset in force at *moment*."""
    offset = "-07:00" if moment < DST_END else "-08:00"
    return moment.isoformat() + offset


# --- the whole file ---------------------------------------------------------------------------


def assign_topics(rng: random.Random, content: Content, agents: list[Agent]) -> list[str]:
    """A topic for each conversation: each team's topics in proportion to their weights."""
    queues = {}
    for team in sorted({a.team for a in agents}):
        total = sum(a.team == team for a in agents)
        names = [n for n, t in content.topics.items() if team in t["teams"]]
        weights = [content.topics[n]["weight"] for n in names]
        shares = [total * w / sum(weights) for w in weights]
        counts = [int(x) for x in shares]
        # Largest remainders get the conversations left over after rounding down.
        order = sorted(range(len(names)), key=lambda i: (counts[i] - shares[i], names[i]))
        for i in order[: total - sum(counts)]:
            counts[i] += 1
        queue = [n for n, c in zip(names, counts, strict=True) for _ in range(c)]
        rng.shuffle(queue)
        queues[team] = queue
    return [queues[a.team].pop() for a in agents]


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _plan(rng: random.Random, topic: dict[str, Any]) -> list[str]:
    """The steps of one conversation, from the topic's kind and an optional length cap."""
    plans, lengths = (
        (INFO_PLANS, INFO_LENGTHS) if "questions" in topic else (FIX_PLANS, FIX_LENGTHS)
    )
    cap = topic.get("max_turns", 10)
    return plans[_weighted(rng, {n: w for n, w in lengths.items() if n <= cap})]


def _customer(rng: random.Random, content: Content, channel: str) -> tuple[str | None, str, str]:
    """(customer_name or None, how the agent addresses them, full name for sign-offs)."""
    if channel == "social" and rng.random() < 0.5:
        handle = "@" + rng.choice(content.people["handles"])
        return None, handle, handle
    name = rng.choice(content.people["customers"])
    return name, name.split()[0], name


def build_conversation(
    rng: random.Random, content: Content, number: int, start: datetime, agent: Agent, topic_key: str
) -> dict[str, Any]:
    """Compose one conversation record in Warmline's interchange format."""
    topic = content.topics[topic_key]
    channel = _weighted(rng, topic["channels"])
    mood = _weighted(rng, topic["moods"])
    name, first, full = _customer(rng, content, channel)
    ctx = make_context(rng, content, topic, agent, start)
    ctx.update(first=first, full=full, thread=THREAD[channel])
    ctx["problem"] = fill(rng.choice(topic["problem"]), ctx)
    question = rng.choice(topic["questions"]) if "questions" in topic else None
    scene = Scene(rng, content, topic, agent, channel, ctx, mood, MOOD_HEAT[mood], question)
    plan = _plan(rng, topic)
    speakers = ["agent" if s in ("ask", "fix", "followup", "close") else "customer" for s in plan]
    texts = []
    for index, (step, speaker) in enumerate(zip(plan, speakers, strict=True)):
        if speaker == "agent":
            texts.append(agent_turn(scene, step, last=index == len(plan) - 1))
        else:
            texts.append(customer_turn(scene, step))
    times = turn_times(rng, start, channel, speakers)
    record: dict[str, Any] = {"id": f"nw-{number:04d}", "channel": channel}
    if name:
        record["customer_name"] = name
    record["agent_id"] = agent.agent_id
    record["turns"] = [
        {"speaker": s, "text": t, "timestamp": iso(m)}
        for s, t, m in zip(speakers, texts, times, strict=True)
    ]
    record["metadata"] = _metadata(rng, agent, topic, scene.heat)
    return record


def _metadata(rng: random.Random, agent: Agent, topic: dict[str, Any], heat: int) -> dict[str, Any]:
    """Team, CSAT (for the customers who answered the survey) and topic."""
    meta: dict[str, Any] = {"team": agent.team}
    if rng.random() < 0.6:
        csat = (5, 4, 3, 2, 1)[heat]
        if rng.random() < 0.25:
            csat += rng.choice((-1, 1))
        meta["csat"] = max(1, min(5, csat))
    meta["topic"] = topic["topic"]
    return meta


def build_records(seed: int = SEED, content: Content | None = None) -> list[dict[str, Any]]:
    """All demo conversations, in time order, ids nw-0001 upwards."""
    content = content or load_content()
    rng = random.Random(seed)
    slots = schedule(rng, content)
    topics = assign_topics(rng, content, [agent for _, agent in slots])
    return [
        build_conversation(rng, content, number, start, agent, topic)
        for number, ((start, agent), topic) in enumerate(zip(slots, topics, strict=True), start=1)
    ]


def render(records: list[dict[str, Any]]) -> str:
    """The JSON Lines text of *records* (UTF-8, one compact object per line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def sentences(records: list[dict[str, Any]]) -> set[str]:
    """Every distinct sentence the conversations contain."""
    found = set()
    for record in records:
        for turn in record["turns"]:
            for piece in re.split(r"(?<=[.!?])\s+|\n+", turn["text"]):
                if piece.strip():
                    found.add(piece.strip())
    return found


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, verify) the demo conversations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file is stale")
    args = parser.parse_args(argv)
    records = build_records()
    text = render(records)
    if args.check:
        stale = not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text
        print(f"{OUTPUT.relative_to(ROOT)} is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    OUTPUT.write_text(text, encoding="utf-8")
    turns = sum(len(r["turns"]) for r in records)
    print(
        f"wrote {len(records)} conversations, {turns} turns, "
        f"{len(sentences(records))} distinct sentences to {OUTPUT.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
