"""The golden harness in every language, on the fixture hotline whose catalogs are complete.

The real catalogs are being translated; these conversations prove the harness (a `language:`
per file, served and remembered) and the language rules end to end, through the engine and
through signed POST /sms with a real Redis, without depending on them.
"""
from __future__ import annotations

import pytest

from conftest import FIXTURES, SATURDAY_AFTERNOON, Twilio, message_text
from golden import conversations, language_of, load, walk_engine, walk_http
from hotline.content.bundle import load_content

I18N = FIXTURES / "i18n"
CASES = conversations(folder=I18N / "golden")


@pytest.fixture(scope="module")
def content():
    return load_content(I18N / "flows", I18N / "translations")


def test_every_language_has_a_conversation():
    languages = {language_of(load(path)) for path in CASES}
    assert languages >= {"es", "ar", "zh_Hans", "uk", "ru", "fa_AF", "ps", "ht"}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_engine_walk(path, content, request):
    walk_engine(content, load(path), path, SATURDAY_AFTERNOON, update=request.config.getoption("--update-golden"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_http_walk(path, make_app, redis_url):
    app = make_app(redis_url=redis_url, flows_dir=I18N / "flows", translations_dir=I18N / "translations")
    walk_http(app, Twilio(app.test_client()), load(path), path, message_text)


def test_a_conversation_in_a_language_not_served_fails_clearly(content, tmp_path):
    path = tmp_path / "xx.yaml"
    conversation = {"name": "x", "language": "es", "steps": [{"send": "hola", "expect": ""}]}
    english_only = load_content(I18N / "flows", I18N / "translations", ("en",))
    with pytest.raises(pytest.fail.Exception, match="xx.yaml is a conversation in es, which is not served"):
        walk_engine(english_only, conversation, path, SATURDAY_AFTERNOON)
