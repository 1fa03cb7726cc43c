"""A real IMAP server for the inbound tests: Debian's Dovecot (dovecot-imapd) with a throw-away
configuration — one user in a passwd-file, Maildir under a temporary folder, plain IMAP on
127.0.0.1 at a free port, no SSL — started as `dovecot -F -c CONF` and stopped by its PID."""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.mail import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "care", "imap-test-password"


class Dovecot:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:  # Dovecot will not deliver mail as root: the mail belongs to its own user
            owner = pwd.getpwnam("dovecot")
            self.uid, self.gid = owner.pw_uid, owner.pw_gid
            internal = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            name = pwd.getpwuid(self.uid).pw_name
            internal = f"default_internal_user = {name}\ndefault_login_user = {name}\n"
        mail = self.root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            os.chown(mail, self.uid, self.gid)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = self.root / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
shutdown_clients = yes
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {min(self.uid, 100)}
{internal}mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode(errors='replace')} "
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                    if connection.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def _children(self) -> list[int]:
        """The processes our Dovecot master started (imap sessions outlive a master that stops)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        """Stop the server and every session it serves, as a restart of the service does."""
        if self.process is not None and self.process.poll() is None:
            children = self._children()
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Deliver as a mail client would: APPEND over IMAP."""
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def flagged_seen(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            return len(client.search(["SEEN"]))
        finally:
            client.logout()

    def app_settings(self) -> dict:
        return {"IMAP_HOST": "127.0.0.1", "IMAP_PORT": self.port, "IMAP_SSL": False, "IMAP_USERNAME": USER,
                "IMAP_PASSWORD": PASSWORD, "IMAP_FOLDER": "INBOX", "IMAP_TIMEOUT": 5}
