"""Content words: the lower-cased words that carry meaning, for overlap between turns."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]|[a-z0-9]")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further get got had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in
    into is isn't it it's its itself just let's me more most mustn't my myself no nor not of off on once
    only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's these
    they they'd they'll they're they've this those through to too under until up very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom why
    why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    ok okay yes yeah hi hello hey thanks thank please sorry sure right well now still really one two
    like know want need going go see look make take give tell said say just also get got us im dont
    cant ive youre thats its theres""".split()
)


def content_words(lower: str) -> set[str]:
    """The meaningful words of an already lower-cased text (stopwords and 1-2 letter words dropped)."""
    return {w for w in _WORD.findall(lower.replace("’", "'")) if len(w) > 2 and w not in STOPWORDS}
