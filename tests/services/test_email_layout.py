"""Issue 16: every e-mail the product sends has a text part and an HTML part in the one branded
layout (BRAND_NAME in a bar of BRAND_COLOR), buttons for our own links, score buttons of at least
44 × 44 px; the brand is configurable and checked at start-up."""
import re

import pytest

from config import ConfigError, read_environment
from notifications.services import text_blocks
from tests.support.mail_look import mail_of_every_kind

KINDS = {"complaint_acknowledgement", "complaint_resolved", "complaint_reopened", "complaint_owner_assigned",
         "complaint_assigned_to_you", "complaint_progress_update", "survey_invitation", "staff_password_reset"}


def test_every_kind_of_email_has_both_parts_in_the_layout(app, db_session, staff):
    messages = mail_of_every_kind(db_session, staff)
    kinds = {m.kind for m in messages}
    assert KINDS <= kinds, KINDS - kinds
    for message in messages:
        assert message.text_body.strip(), message.kind
        html = message.html_body or ""
        assert 'style="background-color:#1d4f91;' in html, message.kind  # the brand bar
        assert ">Customer care</td>" in html, message.kind
        assert "<table role=\"presentation\"" in html and "max-width:600px" in html, message.kind
        assert "<script" not in html.lower(), message.kind
        for url in re.findall(r"http://localhost/[^\s<>\"]+", message.text_body):
            assert f'href="{url}"' in html.replace("&amp;", "&"), (message.kind, url)  # every link of the text


def test_the_survey_scores_are_buttons_of_44_px(app, db_session, staff):
    invitation = next(m for m in mail_of_every_kind(db_session, staff) if m.kind == "survey_invitation")
    scores = re.findall(r'<a href="http://localhost/survey/[^"]+\?score=\d+" style="([^"]+)"', invitation.html_body)
    assert len(scores) == 11  # NPS 0–10
    for style in scores:
        assert "min-width:44px" in style and "height:44px" in style


def test_a_staff_email_without_its_own_html_gets_a_button_for_our_link(app, db_session, staff):
    reset = next(m for m in mail_of_every_kind(db_session, staff) if m.kind == "staff_password_reset")
    link = re.search(r"http://localhost/\S+", reset.text_body).group(0)
    assert re.search(rf'<a href="{re.escape(link)}" style="display:inline-block;min-height:44px;', reset.html_body)


@pytest.mark.parametrize("app_settings", [{"BRAND_NAME": "Acme Care", "BRAND_COLOR": "#7a1f5c"}])
def test_the_brand_is_configurable(app, db_session, staff, app_settings):
    messages = mail_of_every_kind(db_session, staff)
    for message in messages:
        assert ">Acme Care</td>" in message.html_body and "background-color:#7a1f5c" in message.html_body
    page = app.test_client().get("/complain").get_data(as_text=True)
    assert "Acme Care" in page


@pytest.mark.parametrize("bad", [{"BRAND_COLOR": "pink"}, {"BRAND_COLOR": "#ffee00"}, {"BRAND_NAME": "<b>x</b>"}])
def test_a_bad_brand_stops_start_up(bad):
    with pytest.raises(ConfigError) as refused:
        read_environment(bad)
    assert next(iter(bad)) in str(refused.value)


def test_text_blocks_turn_our_own_links_into_buttons_and_keep_others_as_links():
    blocks = text_blocks("Hello,\n\nOpen your page:\nhttp://our.example/track/x1\n\nSee https://other.example/a.",
                         own_site="http://our.example")
    assert blocks[1] == {"kind": "button", "url": "http://our.example/track/x1", "label": "Open your page"}
    assert blocks[2]["lines"] == [[("See ", None), ("https://other.example/a", "https://other.example/a"), (".", None)]]
