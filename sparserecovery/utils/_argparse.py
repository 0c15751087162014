"""Argument parsing helpers shared by the command-line subcommands."""

import argparse
import math

__all__ = ["positive"]


def positive(kind, name):
    """An argparse ``type=`` that accepts a positive, finite ``int`` or ``float``.

    Parameters
    ----------
    kind : {int, float}
        The number type.
    name : str
        The option name, used in error messages (e.g. ``"--views"``).

    Returns
    -------
    callable
        Parser raising :class:`argparse.ArgumentTypeError` on bad text.

    Examples
    --------
    >>> positive(int, "--views")("30")
    30
    """
    what = "an int" if kind is int else "a number"
    bound = ">= 1" if kind is int else "> 0"

    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            msg = f"{name} must be {what}, got {text!r}"
            raise argparse.ArgumentTypeError(msg) from None
        if not v > 0 or (kind is float and not math.isfinite(v)):
            raise argparse.ArgumentTypeError(f"{name} must be {bound}, got {text}")
        return v

    return parse
