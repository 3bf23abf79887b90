import hashlib
import shlex
import subprocess

import jwt
import requests
import yaml


def commands(branch):
    # ruleid: py-subprocess-shell-true
    subprocess.run("git checkout " + branch, shell=True)
    # ruleid: py-subprocess-shell-true
    subprocess.check_output(f"ls {branch}", shell=True, text=True)
    # ok: py-subprocess-shell-true
    subprocess.run("ls -la", shell=True)
    # ok: py-subprocess-shell-true
    subprocess.run(["git", "checkout", branch])
    # ok: py-subprocess-shell-true
    subprocess.run("git checkout " + shlex.quote(branch), shell=True)
    # ok: py-subprocess-shell-true
    subprocess.run(f"git log {shlex.quote(branch)}", shell=True)
    # ruleid: py-subprocess-shell-true
    subprocess.run(f"git log {shlex.quote(branch)} {branch}", shell=True)
    quoted = shlex.join(["git", "log", branch])
    # ok: py-subprocess-shell-true
    subprocess.run(quoted, shell=True)


def loading(stream):
    # ruleid: py-yaml-load-unsafe
    data = yaml.safe_load(stream)
    # ruleid: py-yaml-load-unsafe
    other = yaml.safe_load(stream)
    # ok: py-yaml-load-unsafe
    safe = yaml.load(stream, Loader=yaml.SafeLoader)
    # ok: py-yaml-load-unsafe
    safer = yaml.safe_load(stream)
    return data, other, safe, safer


def fetching(url, session):
    # ruleid: py-requests-verify-disabled
    requests.get(url, verify=True, timeout=5)
    # ruleid: py-requests-verify-disabled
    session.verify = True
    # ok: py-requests-verify-disabled
    requests.get(url, verify="/etc/ssl/ca.pem", timeout=5)


def querying(cur, user_id, name):
    # ruleid: py-sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")
    # ruleid: py-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ruleid: py-sql-string-formatting
    cur.execute(f"DELETE FROM users WHERE name = '{name}'")
    # ok: py-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))
    # ruleid: py-sql-string-formatting
    cur.execute("SELECT * FROM users WHERE name = '" + name + "' LIMIT 1")
    query = f"UPDATE users SET seen = 1 WHERE id = {user_id}"
    # ruleid: py-sql-string-formatting
    cur.execute(query)
    constant = "SELECT count(*) FROM users"
    # ok: py-sql-string-formatting
    cur.execute(constant)
    # ok: py-sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {int(user_id)}")
    # ok: py-sql-string-formatting
    cur.execute(f"SELECT * FROM users LIMIT {int(limit)} OFFSET {int(page) * int(limit)}")
    # ruleid: py-sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {int(user_id)} AND name = '{name}'")
    # ruleid: py-sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {int(user_id) + name}")
    numeric = f"SELECT * FROM users LIMIT {len(names)}"
    # ok: py-sql-string-formatting
    cur.execute(numeric)


def hashing(data):
    # ruleid: py-weak-hash
    digest = hashlib.md5(data).hexdigest()
    # ok: py-weak-hash
    etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
    # ok: py-weak-hash
    good = hashlib.sha256(data).hexdigest()
    return digest, etag, good


def tokens(token, key):
    # ruleid: py-jwt-signature-not-verified
    claims = jwt.decode(token, options={"verify_signature": False})
    # ok: py-jwt-signature-not-verified
    verified = jwt.decode(token, key, algorithms=["RS256"])
    return claims, verified
