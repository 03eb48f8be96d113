"""The meeting: an append-only log of events and everything projected from it.

The pure core of DESIGN.md's layers, as a folder: `events` (what can happen, each kind with
its typed payload), `engine` (commands in, events out; events applied make the state),
`session` (the log in its `store`, replayed), and the parts of the state each segment
owns: `timer` and `schedule` (timing), `qa` (grassroots questions), `ballot_box` (live
votes), `phone_codes` (who may join from a phone), `followups` (commitments afterwards).
Nothing here reads the clock or the keyboard, or imports Rich, Typer, questionary or Jinja2.
"""
