"""Slash-commands in PR comments: parse, check permission and rate, run, answer."""
