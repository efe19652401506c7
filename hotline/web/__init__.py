"""The web layer: the Flask app factory, Twilio's signatures, and the SMS and voice routes side
by side. Glue only: every decision is made by the session layer below."""
