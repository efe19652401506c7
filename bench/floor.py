"""The floor under the hotline's turn: the least any turn must do on this stack.

Read Twilio's form, check its signature (hotline.web.signatures, as the hotline does), make two
plain Redis round trips keyed by an HMAC of the caller (a GET of what was kept, a SET with a
TTL of what to keep), and answer one constant TwiML document. No switchboard, no engine, no
record codec, no rendering, not even the hotline's own Lua scripts: measured in the same run
as bench/bare.py and the hotline, the distance from this floor is the hotline's own work.
"""
import os

import redis
from flask import Flask, Response, request

from hotline.session.callers import pseudonym
from hotline.web.signatures import is_from_twilio

TOKEN = os.environ["TWILIO_AUTH_TOKEN"]
PUBLIC_URL = os.environ["HOTLINE_PUBLIC_URL"]
SECRET = os.environ["HOTLINE_SECRET_KEY"].encode()
SMS = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'
RECORD = b"= = Abc|"  # a caller on a menu, as the hotline writes one
TTL = 3 * 24 * 3600

client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=0.25, socket_connect_timeout=0.25)
app = Flask(__name__)


@app.post("/sms")
@app.post("/voice")
@app.post("/voice/<path:rest>")
def turn(rest: str = "") -> Response:
    if not is_from_twilio(request, TOKEN, PUBLIC_URL):
        return Response("Not signed.\n", status=403, mimetype="text/plain")
    key = f"hl:{{{pseudonym(SECRET, request.form.get('From', ''))}}}:s"
    client.get(key)
    client.set(key, RECORD, ex=TTL)
    return Response(SMS, mimetype="text/xml")
