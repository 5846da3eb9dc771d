"""Learned linear heads: word n-grams and named features in, one probability per label out.

A :class:`LinearHead` is a set of logistic regressions that share their inputs:

* sparse word features — unigrams ``w:<word>`` and bigrams ``b:<word> <word>`` of the turn,
  lower-cased, with any token containing a digit read as ``<num>`` (order numbers carry no
  feeling); each present n-gram weighs its inverse document frequency, and the vector is
  L2-normalised, as in TF-IDF;
* dense named features — whatever the detector computes (cue-lexicon tallies, what the rules
  found, the shipped model's own logits when a team head adapts it).

Inference is plain dictionary lookups (no numpy), so a head costs microseconds per turn.
Heads are stored as gzip-compressed JSON with their model card inside; :func:`load_head`
validates a file and says what is wrong with it. Fitting lives in :mod:`warmline.training`
(it needs scikit-learn); the engine only reads.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from warmline.engine.datafiles import package_data
from warmline.engine.errors import ConfigError

FORMAT = "warmline.linear-head/1"
#: The heads shipped in the package, which a team head may correct.
SHIPPED = ("emotion", "behaviours")
NUMBER = "<num>"


def ngram_keys(tokens: Sequence[str]) -> list[str]:
    """The sparse feature keys of a token sequence: unigrams and bigrams, numbers folded."""
    # most tokens are plain words: isalpha() rules out a digit without a scan per character
    words = [NUMBER if not t.isalpha() and any(c.isdigit() for c in t) else t for t in tokens]
    keys = [f"w:{w}" for w in words]
    keys.extend(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return keys


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True)
class LinearHead:
    """Per-label logistic regressions over n-gram and named features (see the module doc)."""

    name: str
    labels: tuple[str, ...]
    intercepts: tuple[float, ...]
    thresholds: tuple[float, ...]
    #: n-gram key -> (idf, one weight per label)
    ngrams: Mapping[str, tuple[float, tuple[float, ...]]]
    #: named feature -> one weight per label
    dense: Mapping[str, tuple[float, ...]]
    card: Mapping[str, Any] = field(default_factory=dict)
    #: the shipped head whose log-odds this one corrects (a team head), or None
    base: str | None = None

    def logits(self, keys: Iterable[str], dense: Mapping[str, float]) -> list[float]:
        """Raw scores per label (log-odds), the base head's included."""
        z = list(self.intercepts)
        if self.base is not None:
            base = load_head(self.base)
            shipped = dict(zip(base.labels, base.logits(keys, dense), strict=True))
            z = [v + shipped.get(label, 0.0) for v, label in zip(z, self.labels, strict=True)]
        ngrams = self.ngrams
        # heads with only named features (calibration, intensity) skip the n-gram pass
        found = (
            [v for k in dict.fromkeys(keys) if (v := ngrams.get(k)) is not None] if ngrams else []
        )
        if found:
            norm = math.sqrt(sum(idf * idf for idf, _ in found))
            for idf, weights in found:
                x = idf / norm
                z = [v + w * x for v, w in zip(z, weights, strict=True)]
        for key, x in dense.items():
            row = self.dense.get(key)
            if row is not None and x:
                z = [v + w * x for v, w in zip(z, row, strict=True)]
        return z

    def probabilities(self, keys: Iterable[str], dense: Mapping[str, float]) -> dict[str, float]:
        """Probability of each label."""
        return {
            label: _sigmoid(z)
            for label, z in zip(self.labels, self.logits(keys, dense), strict=True)
        }

    def threshold(self, label: str) -> float:
        """The decision threshold of *label* (a probability)."""
        return self.thresholds[self.labels.index(label)]

    def evidence(self, keys: Iterable[str], label: str, top: int = 3) -> list[str]:
        """The n-grams of *keys* that pushed *label* up most, for explanations."""
        i = self.labels.index(label)
        scored = [
            (self.ngrams[k][0] * self.ngrams[k][1][i], k)
            for k in dict.fromkeys(keys)
            if k in self.ngrams
        ]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(reverse=True)
        return [k.split(":", 1)[1] for _, k in scored[:top]]

    def to_json(self) -> dict[str, Any]:
        """The on-disk form (see :func:`head_from_json`)."""
        return {
            "format": FORMAT,
            "name": self.name,
            "base": self.base,
            "card": dict(self.card),
            "labels": list(self.labels),
            "intercepts": list(self.intercepts),
            "thresholds": list(self.thresholds),
            "dense": {k: list(v) for k, v in sorted(self.dense.items())},
            "ngrams": {k: [idf, *w] for k, (idf, w) in sorted(self.ngrams.items())},
        }

    def save(self, path: Path) -> None:
        """Write the head as gzip-compressed JSON; the same head gives the same bytes."""
        data = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()
        with (
            path.open("wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as fh,
        ):
            fh.write(data)


def head_from_json(raw: Any, where: str) -> LinearHead:
    """Validate and build a head from its JSON form; errors name *where* and the field."""

    def bad(what: str) -> ConfigError:
        return ConfigError(f"{where}: {what}; rebuild it with `make models` or `warmline train`")

    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise bad(f"not a Warmline model (expected format {FORMAT!r})")
    try:
        labels = tuple(str(x) for x in raw["labels"])
        n = len(labels)
        intercepts = tuple(float(x) for x in raw["intercepts"])
        thresholds = tuple(float(x) for x in raw["thresholds"])
        dense = {str(k): tuple(float(x) for x in v) for k, v in raw["dense"].items()}
        ngrams = {
            str(k): (float(v[0]), tuple(float(x) for x in v[1:])) for k, v in raw["ngrams"].items()
        }
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise bad(f"malformed field ({exc!r})") from None
    if not labels or len(intercepts) != n or len(thresholds) != n:
        raise bad(f"labels, intercepts and thresholds must have the same length ({n})")
    if any(len(w) != n for w in dense.values()) or any(len(w) != n for _, w in ngrams.values()):
        raise bad(f"every weight vector must have one weight per label ({n})")
    if not all(0.0 < t < 1.0 for t in thresholds):
        raise bad("thresholds must be probabilities strictly between 0 and 1")
    base = raw.get("base")
    if base is not None and base not in SHIPPED:
        raise bad(f"field 'base' must be one of {', '.join(SHIPPED)} (got {base!r})")
    card = raw.get("card") or {}
    name = str(raw.get("name", where))
    return LinearHead(name, labels, intercepts, thresholds, ngrams, dense, card, base)


def read_head(path: Path) -> LinearHead:
    """Load a head from a ``.json.gz`` file on disk."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the model ({exc})") from None
    return head_from_json(raw, str(path))


@cache
def load_head(name: str) -> LinearHead:
    """Load a head shipped in the package (``data/models/<name>.json.gz``), once per process."""
    resource = package_data() / "models" / f"{name}.json.gz"
    try:
        raw = json.loads(gzip.decompress(resource.read_bytes()))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"models/{name}.json.gz: cannot read the model ({exc})") from None
    return head_from_json(raw, f"models/{name}.json.gz")
