"""Stored wire forms: each asset and exif row keeps its encoded sync form next to it.

A full sync then costs about what reading the rows costs: the stream concatenates stored JSON
with its line envelope and ack instead of building and encoding an object per row. Forms are
a cache keyed by the row's change-clock stamp and a format version, never trusted beyond it:
`render` makes them, `queries` reads and stores them, `renderer` keeps them current in the
background, and readers render any row whose form is missing or stale on the fly.
"""
