"""filmroll's extensions of the v2 sync API: totals before a stream, rows by id and per-session
sync status. Each answers from the stream's own handlers and queries, so what they count or
send is exactly what the stream would, under the same access rule."""
