"""Participation from phones over the room's network: a small web app served by the laptop.

Imported only by `retreat run --participate` / `retreat demo --participate` and the tests:
Starlette, uvicorn and segno stay out of `retreat --help`.
"""
