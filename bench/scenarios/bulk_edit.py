"""Bulk edit: one `PUT /api/assets` over 10,000 of the owner's assets (quick: the whole small
library), as the web app sends for a selection; seconds per request and assets/s.

Two edits are timed: a favourite toggle (asset rows only) and a new description (one EXIF row
per asset as well), alternating values so every request really changes every row. The figure
guards write cost: a faster sync must not make writes much slower.
"""

from __future__ import annotations

from bench.common import Context, Result, median, timed

NAME = "bulk-edit"
COUNT = 10_000


def run(ctx: Context) -> Result:
    ids = [str(i) for i in ctx.library.asset_ids[:COUNT]]
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    favourite, described = [], []
    with ctx.server.client(token) as client:

        def edit(body: dict[str, object]) -> float:
            return timed(lambda: client.put("/api/assets", json={"ids": ids, **body}).raise_for_status())[0]

        for n in range(max(3, ctx.profile.runs)):
            favourite.append(edit({"isFavorite": n % 2 == 0}))
            described.append(edit({"description": f"bulk edit {n}"}))
    fav_s, desc_s = median(favourite), median(described)
    return {
        "assets": ctx.library.size,
        "edited": len(ids),
        "favourite_seconds": round(fav_s, 4),
        "favourite_assets_per_s": round(len(ids) / fav_s),
        "description_seconds": round(desc_s, 4),
        "description_assets_per_s": round(len(ids) / desc_s),
    }
