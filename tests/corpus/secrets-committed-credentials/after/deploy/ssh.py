"""Opens the SSH connection the deploy job uses to restart the billing workers."""

import io

import paramiko

# EXPECT-NEXT: private key committed in the source
DEPLOY_KEY = """-----BEGIN OPENSSH PRIVATE KEY-----
ZmFrZS1rZXktZm9yLXRoZS1yZXZpZXctYm90LWNvcnB1cy1ub3QtYS1yZWFsLWtleS0tZmFrZS1r
ZXktZm9yLXRoZS1yZXZpZXctYm90LWNvcnB1cy1ub3QtYS1yZWFsLWtleS0tZmFrZS1rZXktZm9y
LXRoZS1yZXZpZXctYm90LWNvcnB1cy1ub3QtYS1yZWFsLWtleQ==
-----END OPENSSH PRIVATE KEY-----
"""


def restart_workers(host: str) -> None:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # EXPECT: host key never checked
    client.connect(host, username="deploy", pkey=paramiko.Ed25519Key.from_private_key(io.StringIO(DEPLOY_KEY)))
    try:
        client.exec_command("systemctl restart billing-worker@*")
    finally:
        client.close()
