"""Utilities."""

import json


def load(text):
    # A problem that was already here: not on a changed line, so never reported.
    return eval(text)


def parse(text):
    return json.loads(text)
