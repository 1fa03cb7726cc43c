"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what arrives."""
from __future__ import annotations


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ReceivedMail:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]
