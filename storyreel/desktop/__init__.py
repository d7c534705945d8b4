"""The desktop app (``storyreel desktop``): a PySide6 client of the REST API and the WebSocket.

It imports nothing of the server (import-linter contract ``desktop-imports-nothing``): every
word it exchanges with storyreel goes over HTTP, so it drives a local embedded server and a
team's remote one the same way. The non-Qt modules (``client``, ``live``, ``errors``,
``models``, ``session``, ``server``) work without a display and are tested on their own.
"""
