import sqlite3


def userlist():

    conn = sqlite3.connect('users1.sqlite')
    conn.row_factory = sqlite3.Row
    c = conn.cursor()

    users = c.execute("SELECT * FROM users").fetchall()

    if not users:
        return []
    else:
        return [ user['username'] for user in users ]


def login(username, password):

    conn = sqlite3.connect('users1.sqlite')
    conn.set_trace_callback(print)
    conn.row_factory = sqlite3.Row
    c = conn.cursor()

    user = c.execute("SELECT * FROM users WHERE username = '{}' and password = '{}'".format(username, password)).fetchone()  # EXPECT SQL injection

    if user:
        return user['username']
    else:
        return False
