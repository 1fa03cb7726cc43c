"""platform_support.email_address: exactly one plain address, the rule of every intake."""
from __future__ import annotations

import pytest

from platform_support.email_address import is_single_address

NOT_ONE_ADDRESS = [
    "a@x.example,victim@y.example",
    "a@x.example;victim@y.example",
    "a@x.example victim@y.example",
    "Eve <eve@x.example>",
    "eve@x.example\r\nBcc: victim@y.example",
    '"a,b"@x.example',
    "eve@[127.0.0.1]",
    "no-at-sign.example",
    "eve@localhost",
    "@x.example",
    "eve@",
]


@pytest.mark.parametrize("address", NOT_ONE_ADDRESS)
def test_not_one_address_is_refused(address):
    assert not is_single_address(address)


@pytest.mark.parametrize("address", ["jan@example.com", "Jan.Kowalski+shop@Example.COM", "anna@przykład.pl"])
def test_one_address_is_accepted(address):
    assert is_single_address(address)
