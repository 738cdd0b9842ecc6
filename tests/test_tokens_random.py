"""The tokens themselves: always 8 characters of the app's alphabet, every character equally
likely (a chi-square test over 100,000 tokens, with a control proving the test can fail)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

from hostprov_tui.services.generations.token_rows import new_token
from tests.support.app_schema import ALPHABET, TOKEN_LENGTH

#: A fixed significance: a fair source fails this once in 10,000 runs.
SIGNIFICANCE = 1e-4
TOKENS = 100_000


def chi_square_sf(x: float, df: int) -> float:
    """P(X >= x) for a chi-square variable with an even number ``df`` of degrees of freedom:
    exp(-x/2) · Σ_{i<df/2} (x/2)^i / i! (exact; the terms are built one from the other)."""
    assert df > 0 and df % 2 == 0
    half = x / 2
    term = math.exp(-half)
    total = term
    for i in range(1, df // 2):
        term *= half / i
        total += term
    return min(1.0, total)


def chi_square(counts: Iterable[int], expected: float) -> float:
    return sum((c - expected) ** 2 / expected for c in counts)


def uniformity_p(tokens: list[str]) -> tuple[float, float]:
    """p-values: characters over the 33 buckets, and (position, character) over 8 × 33."""
    chars = Counter(c for t in tokens for c in t)
    assert set(chars) <= set(ALPHABET)
    n = len(tokens) * TOKEN_LENGTH
    overall = chi_square((chars[c] for c in ALPHABET), n / len(ALPHABET))
    cells = Counter((i, c) for t in tokens for i, c in enumerate(t))
    per_position = chi_square((cells[(i, c)] for i in range(TOKEN_LENGTH) for c in ALPHABET),
                              len(tokens) / len(ALPHABET))
    return (chi_square_sf(overall, len(ALPHABET) - 1),
            chi_square_sf(per_position, TOKEN_LENGTH * (len(ALPHABET) - 1)))


def test_the_survival_function_matches_known_values() -> None:
    assert math.isclose(chi_square_sf(2.0, 2), math.exp(-1))  # df 2: exp(-x/2) exactly
    assert math.isclose(chi_square_sf(0.0, 32), 1.0)
    # the printed tables for 32 df: 5 % above 46.194, 1 % above 53.486, 0.1 % above 62.487
    for x, p in ((46.194, 0.05), (53.486, 0.01), (62.487, 0.001)):
        assert math.isclose(chi_square_sf(x, 32), p, rel_tol=1e-3), x
    # 256 df (the per-position test): against Simpson's rule over the density
    assert math.isclose(chi_square_sf(300.0, 256), _simpson_sf(300.0, 256), rel_tol=1e-6)


def _simpson_sf(x: float, df: int, steps: int = 20_000, upper: float = 1_000.0) -> float:
    def density(v: float) -> float:
        k = df / 2
        return math.exp((k - 1) * math.log(v) - v / 2 - k * math.log(2) - math.lgamma(k))

    h = (upper - x) / steps
    total = density(x) + density(upper)
    total += sum((4 if i % 2 else 2) * density(x + i * h) for i in range(1, steps))
    return total * h / 3


def test_every_character_is_equally_likely() -> None:
    tokens = [new_token() for _ in range(TOKENS)]
    overall, per_position = uniformity_p(tokens)
    print(f"\n[tokens] chi-square over {TOKENS * TOKEN_LENGTH} characters: p = {overall:.4f}; "
          f"per position: p = {per_position:.4f}")
    assert overall > SIGNIFICANCE
    assert per_position > SIGNIFICANCE


def test_the_uniformity_test_catches_modulo_bias() -> None:
    """Control: a byte reduced modulo 33 (256 = 7·33 + 25, so 25 characters are favoured by
    8/7) fails the same test: it is strong enough to see the bias the design forbids."""
    rng = random.Random(20260101)
    biased = ["".join(ALPHABET[rng.randrange(256) % len(ALPHABET)] for _ in range(TOKEN_LENGTH))
              for _ in range(TOKENS)]
    overall, per_position = uniformity_p(biased)
    assert overall < SIGNIFICANCE and per_position < SIGNIFICANCE


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=40))
def test_tokens_are_eight_characters_of_the_alphabet(count: int) -> None:
    for token in (new_token() for _ in range(count)):
        assert len(token) == TOKEN_LENGTH and set(token) <= set(ALPHABET), token
        assert not set(token) & set("O01")


@contextmanager
def _random_bits(draw: Callable[[int], int]) -> Iterator[list[tuple[int, int]]]:
    """Route the operating system's random bits (every ``secrets`` draw) through ``draw``."""
    calls: list[tuple[int, int]] = []
    real = random.SystemRandom.getrandbits

    def fake(_self: random.SystemRandom, k: int) -> int:
        value = draw(k)
        calls.append((k, value))
        return value

    random.SystemRandom.getrandbits = fake  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        random.SystemRandom.getrandbits = real  # type: ignore[method-assign]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_random_bits_give_a_token_without_bias(data: st.DataObject) -> None:
    """Whatever bits the system hands out (all ones, all zeros, anything), the token has 8
    characters of the alphabet, and a value of 33 or more is thrown away and drawn again — never
    folded onto the alphabet (which would favour its first characters)."""
    with _random_bits(lambda k: data.draw(st.integers(0, 2**k - 1))) as calls:
        token = new_token()
    assert calls, "new_token no longer draws through secrets' system random source"
    assert len(token) == TOKEN_LENGTH and set(token) <= set(ALPHABET)
    accepted = [value for _k, value in calls if value < len(ALPHABET)]
    assert token == "".join(ALPHABET[v] for v in accepted)
