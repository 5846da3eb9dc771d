"""Krippendorff's alpha against published answers and an independent brute-force computation."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warmline.agreement import METRICS, AgreementUndefined, alpha, krippendorff, reading

N = None
#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
#: twelve units, values 1-5, gaps where an observer gave no value.
WORKED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def brute_force(data: list[list[int | None]], delta: str) -> float:
    """Alpha from its definition, pair by pair: 1 - (mean disagreement within units) /
    (mean disagreement of all pairs of pairable values), no coincidence matrix."""

    def d(a: float, b: float) -> float:
        return float(a != b) if delta == "nominal" else (a - b) ** 2

    given = [[float(v) for row in data if (v := row[u]) is not None] for u in range(len(data[0]))]
    units = [u for u in given if len(u) >= 2]
    pooled = [v for u in units for v in u]
    n = len(pooled)
    # Within a unit every ordered pair of different coders counts 1 / (m_u - 1).
    within = [sum(d(a, b) for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units]
    observed = sum(within) / n
    expected = sum(d(a, b) for a, b in itertools.permutations(pooled, 2)) / (n * (n - 1))
    return 1 - observed / expected


def test_the_worked_example_matches_the_published_figures_and_the_brute_force() -> None:
    nominal, interval = alpha(WORKED, "nominal"), alpha(WORKED, "interval")
    assert nominal == pytest.approx(brute_force(WORKED, "nominal"), abs=1e-12)
    assert interval == pytest.approx(brute_force(WORKED, "interval"), abs=1e-12)
    assert round(nominal, 3) == 0.743  # the paper's figures
    assert round(interval, 3) == 0.849
    assert round(alpha(WORKED, "ordinal"), 3) == 0.815


def test_it_agrees_with_the_krippendorff_package() -> None:
    np = pytest.importorskip("numpy")
    kpkg = pytest.importorskip("krippendorff")
    data = np.array([[math.nan if v is None else v for v in row] for row in WORKED], dtype=float)
    for metric in METRICS:
        assert alpha(WORKED, metric) == pytest.approx(
            kpkg.alpha(reliability_data=data, level_of_measurement=metric), abs=1e-12
        )


def test_units_values_and_a_seeded_bootstrap_interval() -> None:
    result = krippendorff(WORKED, metric="interval")
    assert (result.units, result.values) == (11, 40)  # unit 12 has one value: not pairable
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < result.value <= result.ci_high <= 1.0
    assert krippendorff(WORKED, metric="interval") == result  # same data, same interval
    assert result.to_dict()["reading"] == "reliable"


def test_perfect_agreement_is_one_and_systematic_disagreement_is_negative() -> None:
    assert alpha([[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 1, None]]) == 1.0
    assert alpha([[1, 0, 1, 0], [0, 1, 0, 1]]) < 0
    assert alpha([[10, 20, 30, 40], [40, 30, 20, 10]], "interval") < 0


def test_a_single_unit_with_disagreement_gives_a_number_at_most_zero() -> None:
    assert alpha([[1], [0]]) == pytest.approx(brute_force([[1], [0]], "nominal"))
    assert alpha([[1], [0]]) <= 0


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ([[1, N, 3], [N, 2, N]], "no unit has values from two coders"),
        ([[1, 1, 1], [1, 1, N]], "every value is the same"),
        ([[4], [4]], "every value is the same"),
        ([], "no coders"),
    ],
)
def test_degenerate_data_is_a_clear_error(data: list[list[int | None]], why: str) -> None:
    with pytest.raises(AgreementUndefined, match=why):
        alpha(data)


def test_bad_shapes_and_metrics_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="coder 2 gave 2 values but coder 1 gave 3"):
        alpha([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="metric 'ratio'"):
        alpha(WORKED, "ratio")  # type: ignore[arg-type]


def test_nan_counts_as_missing() -> None:
    with_nan = [[math.nan if v is None else v for v in row] for row in WORKED]
    assert alpha(with_nan, "nominal") == alpha(WORKED, "nominal")


def test_reading_follows_krippendorffs_guidance() -> None:
    assert [reading(v) for v in (0.95, 0.8, 0.7, 0.667, 0.5, -0.2, None)] == [
        "reliable", "reliable", "tentative", "tentative", "not reliable", "not reliable",
        "undefined",
    ]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=coders, max_size=coders),
            min_size=1,
            max_size=15,
        )
    )
)
def test_any_data_matches_the_brute_force_or_is_undefined(units: list[list[int | None]]) -> None:
    data = [list(row) for row in zip(*units, strict=True)]  # coders x units
    for metric in ("nominal", "interval"):
        try:
            value = alpha(data, metric)
        except AgreementUndefined:
            pairable = [[v for v in u if v is not None] for u in units]
            values = {v for u in pairable if len(u) >= 2 for v in u}
            assert len(values) <= 1  # undefined only when nothing pairable varies
            continue
        assert value == pytest.approx(brute_force(data, metric), abs=1e-9)
        assert value <= 1.0 + 1e-12
