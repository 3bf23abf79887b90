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


def create(username, password):

    conn = sqlite3.connect('users1.sqlite')
    c = conn.cursor()

    c.execute("INSERT INTO users (username, password, failures, mfa_enabled, mfa_secret) VALUES ('%s', '%s', '%d', '%d', '%s')" %(username, password, 0, 0, ''))  # EXPECT SQL injection

    conn.commit()
    conn.close()


def password_change(username, password):

    conn = sqlite3.connect('users1.sqlite')
    c = conn.cursor()

    c.execute("UPDATE users SET password = '{}' WHERE username = '{}'".format(password, username))  # EXPECT SQL injection
    conn.commit()

    return True
