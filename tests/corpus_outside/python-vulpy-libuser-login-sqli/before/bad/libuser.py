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
