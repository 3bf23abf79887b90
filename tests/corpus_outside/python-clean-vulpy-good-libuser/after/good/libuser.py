import sqlite3
import binascii
import hashlib
from time import sleep


def login(username, password, **kwargs):

    conn = sqlite3.connect('db_users.sqlite')
    conn.set_trace_callback(print)
    conn.row_factory = sqlite3.Row
    c = conn.cursor()

    user = c.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()

    if not user:
        sleep(5)
        return False

    if binascii.hexlify(hashlib.sha256(password.encode()).digest()).decode() == user['password']:
        return username
    sleep(5)
    return False


def password_change(username, password):

    conn = sqlite3.connect('db_users.sqlite')
    conn.row_factory = sqlite3.Row
    c = conn.cursor()

    hashed_password = binascii.hexlify(hashlib.sha256(password.encode()).digest()).decode()
    c.execute("UPDATE users SET password = ? WHERE username = ?", (hashed_password, username))
    conn.commit()

    return True
