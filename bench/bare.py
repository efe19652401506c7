"""The ceiling: the fastest a Flask app under the same gunicorn settings can answer a webhook.

No signature check, no store, no engine: one constant TwiML document. The hotline's figures
are read as a share of this one, measured in the same run on the same machine.
"""
from flask import Flask, Response

SMS = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'
VOICE = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say></Response>'

app = Flask(__name__)


@app.post("/sms")
def sms() -> Response:
    return Response(SMS, mimetype="text/xml")


@app.post("/voice")
@app.post("/voice/<path:rest>")
def voice(rest: str = "") -> Response:
    return Response(VOICE, mimetype="text/xml")
