"""Utilities."""

import json
import pickle
import subprocess

import requests
import yaml


def load(text):
    # A problem that was already here: not on a changed line, so never reported.
    return eval(text)


def parse(text):
    return json.loads(text)


def run(command):
    return subprocess.call(command, shell=True)  # EXPECT command injection


def fetch(url):
    return requests.get(url, verify=False, timeout=5)  # EXPECT TLS verification off


def read_config(stream):
    return yaml.load(stream)  # EXPECT unsafe YAML load


def restore(blob):
    return pickle.loads(blob)  # EXPECT insecure deserialization


def total(items):
    return sum(item.price for item in itemz)  # EXPECT undefined name


def append_to(item, bucket=[]):  # EXPECT mutable default argument
    bucket.append(item)
    return bucket
