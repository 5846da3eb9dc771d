"""warmline.stats against hand-worked answers and against scipy.stats on the same fixed data."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as scipy_stats  # a test dependency: never skipped

from warmline import stats

BEFORE = [62.0, 55, 70, 48, 66, 59, 71, 52, 60, 57, 64, 49]
AFTER = [71.0, 68, 75, 60, 80, 66, 73, 69, 77, 62, 70, 74, 65]
X = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
Y = [2.1, 2.9, 3.2, 4.8, 5.1, 5.0, 7.3, 7.9, 8.1, 10.4, 10.0, 12.5]


# -- hand-worked answers ----------------------------------------------------------------------


def test_cohens_d_by_hand() -> None:
    # before 1,2,3 (mean 2, var 1), after 3,4,5 (mean 4, var 1): pooled SD 1, d = 2
    assert stats.cohens_d([1, 2, 3], [3, 4, 5]) == pytest.approx(2.0)
    # Hedges: 2 * (1 - 3 / (4 * 6 - 9)) = 2 * 0.8 = 1.6
    assert stats.hedges_g([1, 2, 3], [3, 4, 5]) == pytest.approx(1.6)


def test_effect_size_is_undefined_without_spread_or_data() -> None:
    assert stats.cohens_d([3, 3], [3, 3]) is None
    assert stats.cohens_d([1], [2, 3]) is None
    assert stats.hedges_g([], [1, 2]) is None


def test_ranks_share_ties_like_rankdata() -> None:
    values = [10, 20, 20, 5, 30, 20]
    assert list(stats.ranks(values)) == [2.0, 4.0, 4.0, 1.0, 6.0, 4.0]
    assert list(stats.ranks(values)) == list(scipy_stats.rankdata(values))


def test_pearson_of_a_perfect_line_is_one() -> None:
    corr = stats.pearson([1, 2, 3, 4, 5], [3, 5, 7, 9, 11])
    assert corr.r == pytest.approx(1.0)
    assert (corr.ci_low, corr.ci_high) == (corr.r, corr.r)


def test_no_spread_gives_no_correlation() -> None:
    corr = stats.pearson([1, 2, 3, 4], [5, 5, 5, 5])
    assert corr.r is None and corr.ci_low is None
    assert stats.correlation_verdict(corr).kind == "too_little_data"


# -- against scipy ----------------------------------------------------------------------------


def test_cohens_d_matches_scipy_pooled_t() -> None:
    # With a pooled-variance t test, d = t * sqrt(1/n1 + 1/n2).
    t = scipy_stats.ttest_ind(AFTER, BEFORE, equal_var=True).statistic
    expected = t * math.sqrt(1 / len(BEFORE) + 1 / len(AFTER))
    assert stats.cohens_d(BEFORE, AFTER) == pytest.approx(expected, rel=1e-12)


def test_pearson_and_its_fisher_interval_match_scipy() -> None:
    ours = stats.pearson(X, Y)
    theirs = scipy_stats.pearsonr(X, Y)
    assert ours.r == pytest.approx(theirs.statistic, rel=1e-12)
    ci = theirs.confidence_interval(confidence_level=0.95)
    assert ours.ci_low == pytest.approx(ci.low, rel=1e-9)
    assert ours.ci_high == pytest.approx(ci.high, rel=1e-9)
    assert ours.n == 12


def test_spearman_matches_scipy_with_ties() -> None:
    y = [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
    ours = stats.spearman(X, y)
    assert ours.r == pytest.approx(scipy_stats.spearmanr(X, y).statistic, rel=1e-12)
    assert ours.ci_low is not None and ours.ci_high is not None
    assert ours.ci_low <= ours.r <= ours.ci_high


def test_spearman_bootstrap_interval_is_close_to_scipy_bootstrap() -> None:
    ours = stats.spearman(X, Y, resamples=4000)

    def rho(x: np.ndarray, y: np.ndarray) -> float:
        return float(scipy_stats.spearmanr(x, y).statistic)

    theirs = scipy_stats.bootstrap(
        (X, Y), rho, paired=True, vectorized=False, n_resamples=4000,
        method="percentile", random_state=np.random.default_rng(1),
    ).confidence_interval  # fmt: skip
    assert ours.ci_low == pytest.approx(theirs.low, abs=0.05)
    assert ours.ci_high == pytest.approx(theirs.high, abs=0.05)


def test_bootstrap_difference_is_close_to_scipy_bootstrap() -> None:
    ours = stats.mean_difference(BEFORE, AFTER, resamples=4000)

    def diff(before: np.ndarray, after: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(after, axis=axis) - np.mean(before, axis=axis)

    theirs = scipy_stats.bootstrap(
        (BEFORE, AFTER), diff, n_resamples=4000, method="percentile",
        random_state=np.random.default_rng(1),
    ).confidence_interval  # fmt: skip
    assert ours.difference == pytest.approx(np.mean(AFTER) - np.mean(BEFORE))
    assert ours.ci_low == pytest.approx(theirs.low, abs=1.0)
    assert ours.ci_high == pytest.approx(theirs.high, abs=1.0)
    # and sits around the t interval of the same difference
    t = scipy_stats.ttest_ind(AFTER, BEFORE, equal_var=False)
    t_ci = t.confidence_interval(0.95)
    assert ours.ci_low == pytest.approx(t_ci.low, abs=1.5)
    assert ours.ci_high == pytest.approx(t_ci.high, abs=1.5)


# -- determinism and verdicts -----------------------------------------------------------------


def test_the_bootstrap_is_deterministic() -> None:
    assert stats.mean_difference(BEFORE, AFTER) == stats.mean_difference(BEFORE, AFTER)
    assert stats.spearman(X, Y) == stats.spearman(X, Y)
    assert stats.mean_difference(BEFORE, AFTER, seed=1) != stats.mean_difference(BEFORE, AFTER)
    # the order the values come in (a database's row order) changes nothing
    assert stats.mean_difference(BEFORE[::-1], AFTER[::-1]) == stats.mean_difference(BEFORE, AFTER)
    pairs = list(zip(X, Y, strict=True))[::-1]
    assert stats.spearman([p[0] for p in pairs], [p[1] for p in pairs]) == stats.spearman(X, Y)


def test_verdicts_say_plainly_what_the_data_allow() -> None:
    improved = stats.mean_difference(BEFORE, AFTER)
    assert improved.ci_low is not None and improved.ci_low > 0
    assert stats.difference_verdict(improved).kind == "improved"
    # the same change on a metric where lower is better
    assert stats.difference_verdict(improved, higher_is_better=False).kind == "worsened"
    assert stats.difference_verdict(stats.mean_difference(AFTER, BEFORE)).kind == "worsened"
    same = stats.mean_difference(BEFORE, list(reversed(BEFORE)))
    verdict = stats.difference_verdict(same)
    assert verdict.kind == "no_clear_change" and "includes zero" in verdict.text
    few = stats.mean_difference(BEFORE[:9], AFTER)
    verdict = stats.difference_verdict(few)
    assert verdict.kind == "too_little_data"
    assert verdict.text.startswith(
        "too little data to conclude: 9 conversations before and 13 after"
    )


def test_an_empty_side_has_no_difference() -> None:
    diff = stats.mean_difference([], [1.0, 2.0])
    assert diff.difference is None and diff.mean_after == 1.5 and diff.n_before == 0
    assert stats.difference_verdict(diff).kind == "too_little_data"


def test_correlation_verdicts() -> None:
    assert stats.correlation_verdict(stats.pearson(X, Y)).kind == "positive"
    assert stats.correlation_verdict(stats.pearson(X, [-v for v in Y])).kind == "negative"
    noise = [5.0, 1, 4, 2, 6, 3, 5, 2, 4, 6, 1, 3]
    assert stats.correlation_verdict(stats.pearson(X, noise)).kind == "no_clear_link"
    assert stats.correlation_verdict(stats.pearson(X[:6], Y[:6])).kind == "too_little_data"


def test_normal_quantile() -> None:
    assert stats._z(0.95) == pytest.approx(scipy_stats.norm.ppf(0.975), abs=1e-9)
