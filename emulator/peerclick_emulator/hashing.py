"""Stateless 64-bit hashing: every generated number is a pure function of the seed and what it describes."""

from __future__ import annotations

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def mix64(value: int) -> int:
    """splitmix64 finaliser: a cheap bijection with good avalanche."""
    value &= MASK64
    value = ((value ^ (value >> 30)) * MIX1) & MASK64
    value = ((value ^ (value >> 27)) * MIX2) & MASK64
    return value ^ (value >> 31)


def hash_of(seed: int, *parts: int) -> int:
    """Hash a seed and a tuple of integers (order matters)."""
    value = mix64(seed * GOLDEN)
    for part in parts:
        value = mix64(value ^ (part * GOLDEN))
    return value


def pick(hashed: int, low: int, high: int) -> int:
    """Map a hash to an integer in [low, high]."""
    return low + hashed % (high - low + 1)
