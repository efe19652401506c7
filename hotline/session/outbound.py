"""Sending a text message from the phone line, for callers whose language it cannot speak yet.

The webhooks answer Twilio; this is the one place the hotline calls Twilio itself (its REST
API). Tests inject their own TextSender and never reach the network.
"""
from __future__ import annotations

import logging
from typing import Protocol

from hotline.channels.sms import plain, split
from hotline.errors import SendFailed
from hotline.session import metrics

log = logging.getLogger(__name__)
# A caller is waiting on the line while we send: give up well inside Twilio's 15 s.
SEND_TIMEOUT = 5.0



class TextSender(Protocol):
    def send(self, to: str, body: str) -> None:
        """Send `body` to `to`; raise SendFailed if it cannot be sent."""


class TwilioTextSender:
    """Sends through Twilio's Messages API, from the hotline's own number."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, http_client=None):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if http_client is None:
            # A logger of our own at WARNING: the client's INFO lines name the request URL
            # and headers, and nothing about a message belongs in our logs.
            quiet = logging.getLogger("hotline.twilio_rest")
            quiet.setLevel(logging.WARNING)
            http_client = TwilioHttpClient(timeout=SEND_TIMEOUT, logger=quiet)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number

    def send(self, to: str, body: str) -> None:
        from twilio.base.exceptions import TwilioException

        try:
            for chunk in split(plain(body)):
                self.client.messages.create(to=to, from_=self.from_number, body=chunk)
        except (TwilioException, OSError) as exc:
            log.warning("text message not sent: %s", type(exc).__name__)
            metrics.outbound(False)
            raise SendFailed(type(exc).__name__) from None
        metrics.outbound(True)
