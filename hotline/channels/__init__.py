"""Channels turn the engine's outputs into what a person gets: an SMS body or spoken TwiML."""
