"""The floor under the hotline's turn: the work no change to the hotline's own code can remove.

Every turn must read Twilio's form, check its signature (hotline.web.signatures, as the hotline
does) and make the store's two round trips: RedisStore.read and RedisStore.write, with the
hotline's own scripts, for the caller in `From`. This app does exactly that and answers one
constant TwiML document: no Switchboard, no engine, no rendering. Measured in the same run as
bench/bare.py and the hotline, it shows how much of the distance from the bare ceiling is
fixed cost and how much is the hotline's own work.
"""
import os

from flask import Flask, Response, request

from hotline.session.callers import pseudonym
from hotline.web.signatures import is_from_twilio
from hotline.session.store import Change, RedisStore

TOKEN = os.environ["TWILIO_AUTH_TOKEN"]
PUBLIC_URL = os.environ["HOTLINE_PUBLIC_URL"]
SECRET = os.environ["HOTLINE_SECRET_KEY"].encode()
SMS = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'
RECORD = b"= = Abc|"  # a caller on a menu, as the hotline writes one

store = RedisStore(os.environ["REDIS_URL"], state_ttl=3 * 24 * 3600, lang_ttl=90 * 24 * 3600)
app = Flask(__name__)


@app.post("/sms")
@app.post("/voice")
@app.post("/voice/<path:rest>")
def turn(rest: str = "") -> Response:
    if not is_from_twilio(request, TOKEN, PUBLIC_URL):
        return Response("Not signed.\n", status=403, mimetype="text/plain")
    caller = pseudonym(SECRET, request.form.get("From", ""))
    seen = store.read(caller)
    store.write(caller, seen, Change(session=RECORD, lang="en", replied=True))
    return Response(SMS, mimetype="text/xml")
