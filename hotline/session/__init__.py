"""Sessions: one turn of a conversation (the switchboard), callers known only by a keyed hash,
what is remembered between messages and where (the stores), what comes in (intake) and what
goes out (the outbound guard)."""
