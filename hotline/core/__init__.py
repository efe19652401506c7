"""The core: the conversation engine, the words people send, opening hours, the flow contract.

Pure Python. Nothing here imports a web framework, a store, a YAML or catalog library, or any
other layer of the hotline: the engine can be used (and tested) without loading anything.
"""
