"""A suite whose setup fails for one case: the grid must go on."""

NAME = "badsetup"
METRIC = "value"
PEER = "one"


def cases(quick):
    return [{"case": "good", "bad": False}, {"case": "bad", "bad": True}]


def setup(case):
    if case["bad"]:
        raise RuntimeError("cannot build this case")
    return 1.0


def methods():
    return {"one": lambda p: {"value": p}}
