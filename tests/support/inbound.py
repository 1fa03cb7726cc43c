"""Raw e-mails as customers' mail clients write them, for the inbound tests."""
from __future__ import annotations

import itertools
from email.message import EmailMessage
from email.utils import format_datetime

from tests.support.clock import NOW

_numbers = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# What each language's mail clients write above the quoted history (Gmail, then Thunderbird).
REPLY_FORMS = {
    "en": ("Still broken, the new one too.", "On Fri, Jan 15, 2027 at 10:00 AM Customer Care <care@shop.example> wrote:"),
    "en-outlook": ("Still broken, the new one too.",
                   "From: Customer Care <care@shop.example>\nSent: Friday, January 15, 2027 10:00\nTo: Jan\nSubject: Your complaint"),
    "pl": ("Nadal nie działa, nowy też nie.", "pt., 15 sty 2027 o 10:00 Obsługa klienta <care@shop.example> napisał(a):"),
    "pl-thunderbird": ("Nadal nie działa, nowy też nie.", "W dniu 15.01.2027 o 10:00, Obsługa klienta pisze:"),
    "ru": ("Всё ещё не работает, новый тоже.", "пт, 15 янв. 2027 г. в 10:00, Служба поддержки <care@shop.example>:"),
    "ru-thunderbird": ("Всё ещё не работает, новый тоже.", "15.01.2027 10:00, Служба поддержки пишет:"),
    "ro": ("Tot nu merge, nici cel nou.", "vin., 15 ian. 2027 la 10:00, Serviciul clienți <care@shop.example> a scris:"),
    "ro-thunderbird": ("Tot nu merge, nici cel nou.", "Pe 15.01.2027 10:00, Serviciul clienți a scris:"),
    "cs": ("Pořád to nefunguje, ani ten nový.", "pá 15. 1. 2027 v 10:00 odesílatel Zákaznická péče <care@shop.example> napsal:"),
    "cs-thunderbird": ("Pořád to nefunguje, ani ten nový.", "Dne 15. 01. 27 v 10:00 Zákaznická péče napsal(a):"),
}
SIGNATURES = {"en": "Best regards,\nJan", "pl": "Z poważaniem\nJan", "ru": "С уважением,\nИван",
              "ro": "Cu stimă,\nIon", "cs": "S pozdravem,\nJan"}


def message(*, sender: str = "Jan Novak <jan@customer.example>", to: str = "complaints@localhost",
            subject: str = "The kettle leaks", text: str | None = "The kettle I bought leaks from the bottom.",
            html: str | None = None, message_id: str | None = None, in_reply_to: str | None = None,
            references: str | None = None, language: str | None = None, headers: dict | None = None,
            files: list[tuple[str, bytes, str]] = ()) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(NOW)
    mail["Message-ID"] = message_id or f"<m{next(_numbers)}.{id(mail)}@customer.example>"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references or in_reply_to:
        mail["References"] = references or in_reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is not None:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    elif html is not None:
        mail.set_content(html, subtype="html")
    for filename, content, content_type in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    if language:  # after set_content, which replaces the Content-* headers
        mail["Content-Language"] = language
    return mail.as_bytes()


def reply(form: str, *, to_message_id: str, **kwargs) -> bytes:
    new, header = REPLY_FORMS[form]
    language = form.split("-")[0]
    signature = SIGNATURES[language]
    quoted = "> We are sorry — your complaint has been received.\n> Your complaint reference: C-AAAAAAAA"
    return message(text=f"{new}\n\n{signature}\n\n{header}\n{quoted}\n", in_reply_to=to_message_id,
                   subject="Re: your complaint", **kwargs)


def delivery_report(failed: str, *, status: str = "5.1.1", action: str = "failed",
                    about: str = "<ours@localhost>") -> bytes:
    """An RFC 3464 delivery status notification, as Postfix sends one."""
    return (
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n"
        "To: complaints@localhost\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn{next(_numbers)}@mx.customer.example>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {about}\r\nSubject: Your complaint\r\n\r\n"
        "--B--\r\n").encode("ascii")
