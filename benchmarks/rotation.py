"""The order of the sides of a comparison, rotating from round to round."""


def rotated(names: list[str], k: int) -> list[str]:
    """``names`` starting from the k-th (ABC, BCA, CAB, ...), so drift hits all alike."""
    k %= len(names)
    return names[k:] + names[:k]
