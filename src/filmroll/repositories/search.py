"""SQL of asset search: metadata filters, statistics, random picks, place and camera values.

What a viewer may find is the access rule's (`repositories.access`): its own assets (locked
ones only when unlocked) and the `timeline`, untrashed assets of partners who share into its
timeline. Each owner is searched as its own branch, so every branch walks that owner's
`(owner_id, file_created_at, id)` index in result order, probes each row's EXIF by key, and
stops after the rows a page needs; the branches are merged in SQL. When place or camera
filters match few of an owner's assets (fewer than `PROBE`, read from the EXIF indexes of
migration 0008), the branch reads just those instead. Distinct values (suggestions, places,
explore) are read by skipping through the same indexes: one index probe per distinct value
instead of a pass over the library.

The case- and accent-insensitive substring filters on `originalFileName` and `description`
(`holds`) narrow a branch the same way when the text has at least three characters: through
trigram indexes of the folded text on PostgreSQL (migrations 0013 and 0025), through an FTS5
trigram index on SQLite (migration 0023).

What no index serves: `originalPath`, and substring filters of shorter text, are checked on
each row a branch walks, so a rare match in a large library reads that owner's whole library;
so do filters that are each common but rarely together, and `statistics` and `random` read
every match.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import album_assets, asset_exif, assets, partners, tag_assets, tags, users
from filmroll.db.unaccent import fold
from filmroll.repositories import access

Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class Query:
    """A metadata search; None means "no filter" unless a field says otherwise."""

    exif: dict[str, Any] = field(default_factory=dict)
    """EXIF column → value (None: the column is null), only for filters the request set."""
    asset_equals: dict[str, Any] = field(default_factory=dict)
    """Asset column → exact value (`id`, `type`, `device_id`, `device_asset_id`, `checksum`...)."""
    contains: dict[str, str] = field(default_factory=dict)
    """Asset column → case-insensitive substring (`original_file_name`, `original_path`)."""
    description: str | None = None
    after: dict[str, datetime] = field(default_factory=dict)
    """Asset date column → inclusive lower bound."""
    before: dict[str, datetime] = field(default_factory=dict)
    visibility: str | None = None
    is_favorite: bool | None = None
    is_offline: bool | None = None
    is_motion: bool | None = None
    is_encoded: bool | None = None
    is_not_in_album: bool | None = None
    album_ids: Sequence[uuid.UUID] = ()
    tag_trees: Sequence[Sequence[uuid.UUID]] | None = ()
    """Per requested tag, it and its descendants (an asset needs one of each); None: untagged."""
    no_match: bool = False
    """A filter no asset can satisfy (people, OCR text, transcoded videos: filmroll has none)."""
    with_deleted: bool = False
    with_stacked: bool | None = None
    with_exif: bool = False


@dataclass(frozen=True)
class Scope:
    viewer: uuid.UUID
    partners: Sequence[uuid.UUID]
    unlocked: bool


def timeline_partners(conn: Connection, viewer: uuid.UUID) -> list[uuid.UUID]:
    """Users sharing with `viewer` whose assets it shows in its timeline (and so searches)."""
    query = (
        sa.select(partners.c.shared_by_id)
        .join(users, users.c.id == partners.c.shared_by_id)
        .where(
            partners.c.shared_with_id == viewer,
            partners.c.in_timeline.is_(True),
            users.c.deleted_at.is_(None),
        )
        .order_by(partners.c.shared_by_id)
    )
    return [uuid.UUID(str(i)) for i in conn.execute(query).scalars()]


PROBE = 2_000
"""Most matches per owner and filter read up front. When an owner has fewer assets matching
an indexed filter, the search reads just those (an index range) and sorts them; with more,
walking the owner's assets in date order fills a page sooner."""
_INDEXED_EXIF = ("country", "state", "city", "make", "model", "lens_model")
INDEXED_TEXT = {"original_file_name": "file_name"}
"""Asset columns whose substring filter an index serves (as the EXIF description's is): a
trigram index on PostgreSQL; on SQLite their column in the FTS5 search table."""
TRIGRAM_MIN = 3
"""Shortest text a trigram index narrows down: shorter text holds no trigram to look up."""


def holds(column: Any, text: str) -> sa.ColumnElement[bool]:
    """`column` contains `text`, ignoring case and accents, as Immich compares file names, paths
    and descriptions (`f_unaccent` on both sides; `%` and `_` are plain text)."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    pattern = sa.func.f_unaccent(sa.literal(f"%{escaped}%", sa.Text))
    return sa.func.f_unaccent(column).ilike(pattern, escape="/")


def _probes(conn: Connection, owner: uuid.UUID, q: Query) -> list[sa.Select[Any]]:
    """Per filter an index serves, the owner's matching asset ids: place and camera values
    (the EXIF indexes of migration 0008) and substring filters of at least `TRIGRAM_MIN`
    characters (PostgreSQL's trigram indexes, SQLite's FTS5 index)."""
    probes = []
    terms = [asset_exif.c[k] == v for k, v in q.exif.items() if k in _INDEXED_EXIF and v is not None]
    if terms:
        probes.append(sa.select(asset_exif.c.asset_id).where(asset_exif.c.owner_id == owner, *terms))
    if conn.dialect.name == "sqlite":
        return probes + _fts_probes(owner, q)
    for name, text in q.contains.items():
        if name in INDEXED_TEXT and len(text) >= TRIGRAM_MIN:
            term = holds(assets.c[name], text)
            probes.append(sa.select(assets.c.id).where(assets.c.owner_id == owner, term))
    if q.description and len(q.description) >= TRIGRAM_MIN:
        term = holds(asset_exif.c.description, q.description)
        probes.append(sa.select(asset_exif.c.asset_id).where(asset_exif.c.owner_id == owner, term))
    return probes


_search_text = sa.table(
    "asset_search_text",
    sa.column("id", sa.Integer),
    sa.column("asset_id", sa.Uuid),
    sa.column("owner_id", sa.Uuid),
)
_search_fts = sa.table("asset_search_fts", sa.column("rowid", sa.Integer))


def _fts_probes(owner: uuid.UUID, q: Query) -> list[sa.Select[Any]]:
    """SQLite: the substring filters of at least `TRIGRAM_MIN` characters as FTS5 trigram
    phrase queries (migration 0023) over the folded text. A phrase of trigrams matches where the
    text holds the whole string: every asset the filter itself matches."""
    texts = {INDEXED_TEXT[k]: v for k, v in q.contains.items() if k in INDEXED_TEXT}
    if q.description:
        texts["description"] = q.description
    probes = []
    for column, text in texts.items():
        if len(text) < TRIGRAM_MIN:
            continue
        folded = fold(text)
        phrase = f'{column} : "{folded.replace(chr(34), chr(34) * 2)}"'
        probes.append(
            sa.select(_search_text.c.asset_id)
            .select_from(_search_fts.join(_search_text, _search_text.c.id == _search_fts.c.rowid))
            .where(sa.text("asset_search_fts MATCH :phrase").bindparams(phrase=phrase))
            .where(_search_text.c.owner_id == owner)
        )
    return probes


def _candidates(conn: Connection, owner: uuid.UUID, q: Query) -> list[uuid.UUID] | None:
    """The owner's assets matching every indexed filter that has fewer than `PROBE` matches;
    None when no indexed filter is that selective."""
    found: set[uuid.UUID] | None = None
    for probe in _probes(conn, owner, q):
        ids = {uuid.UUID(str(i)) for i in conn.execute(probe.limit(PROBE)).scalars()}
        if len(ids) >= PROBE:
            continue
        found = ids if found is None else found & ids
        if not found:
            return []
    return None if found is None else sorted(found)


def _branches(
    conn: Connection, scope: Scope, q: Query, *, join_exif: bool = False
) -> list[tuple[Any, list[sa.ColumnElement[bool]]]]:
    """Per searched owner: the asset rows to read (`assets`, or an alias holding a few
    candidates) and the WHERE terms (the access rule for that owner and the filters). With
    `join_exif` the EXIF filters select from the EXIF index (an id list the database reads
    first) rather than being probed row by row: for reads that visit every match anyway."""
    if q.no_match:
        return []
    out = []
    for owner in [scope.viewer, *scope.partners]:
        a: Any = assets
        candidates = _candidates(conn, owner, q)
        if candidates == []:
            continue
        if candidates is not None:
            # LIMIT keeps the candidates a subquery of their own: both databases then look the
            # few rows up by id instead of walking the owner's index past them.
            a = sa.select(assets).where(assets.c.id.in_(candidates)).limit(len(candidates)).subquery("a")
        if owner == scope.viewer:
            rule = access.owner_reads(scope.viewer, a, unlocked=scope.unlocked)
        else:
            rule = sa.and_(a.c.owner_id == owner, access.partner_reads(scope.viewer, a))
        terms = [rule, *_filters(q, scope.viewer, a, probe_exif=not join_exif)]
        if join_exif and _exif_terms(q):
            exif = sa.select(asset_exif.c.asset_id).where(asset_exif.c.owner_id == owner, *_exif_terms(q))
            terms.append(a.c.id.in_(exif))
        out.append((a, terms))
    return out


def _exif_terms(q: Query) -> list[sa.ColumnElement[bool]]:
    terms = [asset_exif.c[k].is_(None) if v is None else asset_exif.c[k] == v for k, v in q.exif.items()]
    if q.description:
        terms.append(holds(asset_exif.c.description, q.description))
    if q.with_exif:
        terms.append(sa.true())
    return terms


def _filters(q: Query, viewer: uuid.UUID, a: Any, *, probe_exif: bool) -> list[sa.ColumnElement[bool]]:
    """The WHERE terms of `q` over `a` (`assets` or an alias of it); the EXIF filters too with
    `probe_exif` (else the caller joins the EXIF rows)."""
    terms: list[sa.ColumnElement[bool]] = []
    exif = _exif_terms(q) if probe_exif else []
    if exif:
        # A probe per row, never a join the planner could turn around: OFFSET keeps PostgreSQL
        # from flattening it, so a page costs the rows walked, not every EXIF match sorted.
        row = sa.select(sa.literal(1)).where(asset_exif.c.asset_id == a.c.id, *exif).limit(1).offset(0)
        terms.append(sa.exists(row))
    for name, value in q.asset_equals.items():
        terms.append(a.c[name] == value)
    for name, text in q.contains.items():
        terms.append(holds(a.c[name], text))
    for name, bound in q.after.items():
        terms.append(a.c[name] >= bound)
    for name, bound in q.before.items():
        terms.append(a.c[name] <= bound)
    if q.visibility is not None:
        terms.append(a.c.visibility == q.visibility)
    if q.is_favorite is not None:
        # Favourites are the owner's: a partner's asset is never the viewer's favourite.
        mine = sa.and_(a.c.owner_id == viewer, a.c.is_favorite.is_(True))
        terms.append(mine if q.is_favorite else sa.not_(mine))
    if q.is_offline is not None:
        terms.append(a.c.is_offline.is_(q.is_offline))
    if q.is_motion is not None:
        terms.append(
            a.c.live_photo_video_id.is_not(None) if q.is_motion else a.c.live_photo_video_id.is_(None)
        )
    if q.is_encoded:
        terms.append(sa.false())
    for album_id in q.album_ids:
        terms.append(
            sa.exists().where(album_assets.c.asset_id == a.c.id, album_assets.c.album_id == album_id)
        )
    if q.is_not_in_album and not q.album_ids:
        terms.append(~sa.exists().where(album_assets.c.asset_id == a.c.id))
    if q.tag_trees is None:
        terms.append(~sa.exists().where(tag_assets.c.asset_id == a.c.id))
    else:
        for tree in q.tag_trees:
            terms.append(
                sa.exists().where(tag_assets.c.asset_id == a.c.id, tag_assets.c.tag_id.in_(list(tree)))
            )
    if q.with_stacked is False:
        terms.append(a.c.stack_id.is_(None))
    trash = q.with_deleted or "deleted_at" in q.after or "deleted_at" in q.before or q.is_offline is not None
    if not trash:
        terms.append(a.c.deleted_at.is_(None))
    return terms


def page_ids(
    conn: Connection, scope: Scope, q: Query, order: Order, offset: int, limit: int
) -> list[uuid.UUID]:
    """Ids of the matching assets `offset` to `offset + limit`, by capture time then id."""
    desc = order == "desc"

    def ordered(*columns: Any) -> list[Any]:
        return [c.desc() if desc else c.asc() for c in columns]

    branches = [
        sa.select(a.c.id, a.c.file_created_at)
        .where(*terms)
        .order_by(*ordered(a.c.file_created_at, a.c.id))
        .limit(offset + limit)
        .subquery()
        for a, terms in _branches(conn, scope, q)
    ]
    if not branches:
        return []
    merged = sa.union_all(*[sa.select(b.c.id, b.c.file_created_at) for b in branches]).subquery()
    query = (
        sa.select(merged.c.id)
        .order_by(*ordered(merged.c.file_created_at, merged.c.id))
        .limit(limit)
        .offset(offset)
    )
    return [uuid.UUID(str(i)) for i in conn.execute(query).scalars()]


def random_ids(conn: Connection, scope: Scope, q: Query, size: int) -> list[uuid.UUID]:
    """Up to `size` matching assets in random order (every match is read: no index helps)."""
    branches = _branches(conn, scope, q, join_exif=True)
    selects = [sa.select(a.c.id).where(*terms) for a, terms in branches]
    if not selects:
        return []
    merged = sa.union_all(*selects).subquery()
    query = sa.select(merged.c.id).order_by(sa.func.random()).limit(size)
    return [uuid.UUID(str(i)) for i in conn.execute(query).scalars()]


def count(conn: Connection, scope: Scope, q: Query) -> int:
    total = 0
    # Counting reads every match anyway: the database may as well start from the EXIF index.
    for a, terms in _branches(conn, scope, q, join_exif=True):
        total += int(conn.execute(sa.select(sa.func.count()).select_from(a).where(*terms)).scalar_one())
    return total


def _plain(table: sa.Table) -> list[sa.Column[Any]]:
    """A table's data columns, without the stored sync forms (large, and not needed here)."""
    return [c for c in table.c if not c.name.startswith("wire_")]


def rows_by_id(
    conn: Connection, ids: Sequence[uuid.UUID], *, with_exif: bool
) -> list[tuple[Row[Any], Row[Any] | None]]:
    """The asset rows (and EXIF rows) of `ids`, in the order of `ids`."""
    if not ids:
        return []
    query = sa.select(*_plain(assets)).where(assets.c.id.in_(list(ids)))
    found: dict[uuid.UUID, Row[Any]] = {r.id: r for r in conn.execute(query)}
    exif: dict[uuid.UUID, Row[Any]] = {}
    if with_exif:
        query = sa.select(*_plain(asset_exif)).where(asset_exif.c.asset_id.in_(list(ids)))
        exif = {r.asset_id: r for r in conn.execute(query)}
    return [(found[i], exif.get(i)) for i in ids if i in found]


def tag_tree(conn: Connection, tag_id: uuid.UUID) -> list[uuid.UUID]:
    """A tag and every tag below it (searching for a tag finds assets tagged with its children)."""
    tree = sa.select(tags.c.id).where(tags.c.id == tag_id).cte("tag_tree", recursive=True)
    child = tags.alias("child")
    tree = tree.union_all(sa.select(child.c.id).where(child.c.parent_id == tree.c.id))
    return [uuid.UUID(str(i)) for i in conn.execute(sa.select(tree.c.id)).scalars()]


# --- distinct values ----------------------------------------------------------------------


def _shown(owner: uuid.UUID, *extra: sa.ColumnElement[bool]) -> list[sa.ColumnElement[bool]]:
    """Exif rows of `owner`'s assets on the timeline and not trashed (what places and
    suggestions show, for the owner and partners alike)."""
    return [
        asset_exif.c.owner_id == owner,
        assets.c.visibility == access.TIMELINE,
        assets.c.deleted_at.is_(None),
        *extra,
    ]


def _walk(column: sa.Column[Any], where: list[sa.ColumnElement[bool]]) -> sa.CTE:
    """A recursive CTE (column `v`) of the distinct non-empty values of `column` among rows
    matching `where`, in index order: each step asks the index for the next larger value."""
    source = asset_exif.join(assets, assets.c.id == asset_exif.c.asset_id)

    def after(previous: Any) -> Any:
        return (
            sa.select(column)
            .select_from(source)
            .where(column > previous, *where)
            .order_by(column)
            .limit(1)
            .scalar_subquery()
        )

    walk = sa.select(after(sa.literal("", sa.String())).label("v")).cte("walk", recursive=True)
    return walk.union_all(sa.select(after(walk.c.v)).where(walk.c.v.is_not(None)))


def distinct_values(
    conn: Connection, owners: Sequence[uuid.UUID], name: str, narrow: dict[str, str]
) -> list[str]:
    """Distinct non-empty values of the EXIF column `name` among the owners' timeline assets,
    where the `narrow` columns have the given values; sorted."""
    found: set[str] = set()
    for owner in owners:
        where = _shown(owner, *[asset_exif.c[k] == v for k, v in narrow.items()])
        walk = _walk(asset_exif.c[name], where)
        found.update(str(v) for v in conn.execute(sa.select(walk.c.v).where(walk.c.v.is_not(None))).scalars())
    return sorted(found)


def city_assets(
    conn: Connection, owner: uuid.UUID, *, min_assets: int = 1, limit: int | None = None
) -> list[tuple[str, uuid.UUID]]:
    """(city, one asset id) for each city among the owner's timeline photos that has at
    least `min_assets` of them, by city; at most `limit` cities."""
    where = _shown(owner, assets.c.type == "IMAGE")
    walk = _walk(asset_exif.c.city, where)
    source = asset_exif.join(assets, assets.c.id == asset_exif.c.asset_id)
    in_city = (
        sa.select(asset_exif.c.asset_id).select_from(source).where(asset_exif.c.city == walk.c.v, *where)
    )
    query = sa.select(walk.c.v, in_city.limit(1).scalar_subquery()).where(walk.c.v.is_not(None))
    if min_assets > 1:
        query = query.where(sa.exists(in_city.limit(1).offset(min_assets - 1)))
    if limit is not None:
        query = query.limit(limit)
    return [(str(city), uuid.UUID(str(asset_id))) for city, asset_id in conn.execute(query)]
