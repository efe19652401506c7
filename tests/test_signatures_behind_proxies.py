"""Signature checks as real deployments see them: TLS-terminating proxies, query strings,
ports and Twilio's connection-override fragments."""
from __future__ import annotations

import pytest

from conftest import Twilio
from hotline.config import Settings

PARAMS = {"From": "+16075550100", "Body": "hi", "MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32}


def sign(url: str, params: dict = PARAMS) -> str:
    return Twilio(None).sign(url, params)


def post(client, path: str, signature: str, base_url: str, headers: dict | None = None):
    return client.post(path, data=PARAMS, base_url=base_url, headers={"X-Twilio-Signature": signature, **(headers or {})})


HEROKU = {"X-Forwarded-Proto": "https", "X-Forwarded-Port": "443", "X-Forwarded-For": "54.172.60.1",
          "X-Forwarded-Host": "hotline.example.org"}


def test_heroku_style_router_with_one_trusted_hop(make_app, redis_url):
    """The app sees http://web.1:5000; Twilio signed https://hotline.example.org/sms."""
    client = make_app(redis_url=redis_url, public_url=None, proxy_hops=1).test_client()
    signature = sign("https://hotline.example.org/sms")
    assert post(client, "/sms", signature, "http://web.1:5000", HEROKU).status_code == 200
    # without trusting the proxy, the same request cannot be verified
    plain = make_app(redis_url=redis_url, public_url=None).test_client()
    assert post(plain, "/sms", signature, "http://web.1:5000", HEROKU).status_code == 403


def test_only_the_configured_number_of_hops_is_trusted(make_app, redis_url):
    """A forged X-Forwarded-Host from outside sits left of what our one proxy added: ignored."""
    client = make_app(redis_url=redis_url, public_url=None, proxy_hops=1).test_client()
    forged = dict(HEROKU, **{"X-Forwarded-Host": "evil.example.com, hotline.example.org",
                             "X-Forwarded-Proto": "http, https"})
    assert post(client, "/sms", sign("https://hotline.example.org/sms"), "http://web.1:5000", forged).status_code == 200
    assert post(client, "/sms", sign("https://evil.example.com/sms"), "http://web.1:5000", forged).status_code == 403


def test_a_proxy_that_adds_a_path_prefix(make_app, redis_url):
    client = make_app(redis_url=redis_url, public_url=None, proxy_hops=1).test_client()
    headers = dict(HEROKU, **{"X-Forwarded-Prefix": "/hotline"})
    assert post(client, "/sms", sign("https://hotline.example.org/hotline/sms"), "http://web.1:5000", headers).status_code == 200


@pytest.mark.parametrize("hops", [0, 1])
def test_query_strings_are_signed_as_sent(make_app, redis_url, hops):
    public = None if hops else "https://hotline.example.org"
    client = make_app(redis_url=redis_url, public_url=public, proxy_hops=hops).test_client()
    path = "/sms?campaign=flyer&note=a%20b&x=%2B1"
    signature = sign("https://hotline.example.org" + path)
    headers = HEROKU if hops else {}
    assert post(client, path, signature, "http://10.0.0.5:8000", headers).status_code == 200
    assert post(client, "/sms?campaign=other", signature, "http://10.0.0.5:8000", headers).status_code == 403


def test_a_signature_over_the_url_with_its_port_passes(make_app, redis_url):
    client = make_app(redis_url=redis_url).test_client()
    assert post(client, "/sms", sign("https://hotline.example.org:443/sms"), "http://10.0.0.5:8000").status_code == 200


def test_connection_override_fragments(make_app, redis_url):
    """Twilio URL `https://hotline.example.org/sms#rc=2&ct=1000`: the fragment never reaches the app."""
    client = make_app(redis_url=redis_url, url_fragment="rc=2&ct=1000").test_client()
    base = "https://hotline.example.org/sms"
    assert post(client, "/sms", sign(base + "#rc=2&ct=1000"), "http://10.0.0.5").status_code == 200
    assert post(client, "/sms", sign(base), "http://10.0.0.5").status_code == 200
    assert post(client, "/sms", sign(base + "#rc=5"), "http://10.0.0.5").status_code == 403
    plain = make_app(redis_url=redis_url).test_client()
    assert post(plain, "/sms", sign(base + "#rc=2&ct=1000"), "http://10.0.0.5").status_code == 403


def test_proxy_and_fragment_settings_come_from_the_environment():
    env = {"TWILIO_AUTH_TOKEN": "t" * 20, "HOTLINE_SECRET_KEY": "k7Fq-2xZ_pL9mW3vB8nR4tY6uH1jC5dE0aG",
           "HOTLINE_PROXY_HOPS": "1", "HOTLINE_URL_FRAGMENT": "#rc=2&ct=1000"}
    settings = Settings.from_env(env)
    assert settings.proxy_hops == 1 and settings.url_fragment == "rc=2&ct=1000"
