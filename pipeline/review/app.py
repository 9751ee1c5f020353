"""``chitieu review OUTPUT_DIR``: a small local web app to review extracted targets.

Pages (server-rendered Jinja2 templates, a little plain JS, no build step,
nothing fetched from the network):

``GET /``                 the documents of the store, with filters
``GET /queue``            every target not yet reviewed, those whose year or
                          tier came from far away (``document``, ``none``) first
``GET /doc/{sha256}``     one document: its text with every value
                          highlighted, its targets beside it, its facts

Writes (JSON bodies, each with the page's CSRF token in ``X-CSRF-Token``;
each saved in the store at once, so closing the browser loses nothing):

``POST /api/target``      accept / edit / reject / undo one extracted target
``POST /api/add``         add a missed target from a span of the text
``POST /api/fact``        correct a document fact
``POST /api/status``      mark a document reviewed (or not)
``POST /api/undo``        take back a correction by its id

The app serves ``127.0.0.1`` only by default and answers only to a
loopback ``Host`` (no DNS rebinding).  :func:`export_gold` writes the
reviewed documents in the gold format of ``../shared/gold``.
"""
from __future__ import annotations

import argparse
import getpass
import hmac
import json
import logging
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Awaitable, Callable, Iterable

from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..models import DocumentRecord, Target
from ..store import STORE_NAME, Correction, Store, from_payload
from .corrections import (CODES, FACT_FIELDS, ReviewError, added_targets, correct_record, correction_span,
                          snapshot, target_ident, target_spans, validate_fact, validate_target)

log = logging.getLogger("chitieu")

HERE = Path(__file__).resolve().parent
#: Where a year or a tier came from far away: these targets come first in the queue.
FAR_SOURCES = ("document", "none")
#: Hosts the app answers to (TestClient's ``testserver`` included).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")
#: The largest span of text one added target may take.
MAX_SPAN = 2000
#: An added target's evidence is the line around its words, at most this long.
MAX_EVIDENCE = 2000


# --------------------------------------------------------------------------
# The store's documents, as the app sees them
# --------------------------------------------------------------------------

@dataclass
class Row:
    """One row of a document's targets table."""

    index: int | None              # the extracted target's position (None: an added one)
    target: Target                    # the target shown (corrected when edited)
    extracted: Target | None          # the extracted target (None: added)
    span: tuple[int, int, str]
    status: str                       # "", accepted, edited, rejected, added
    correction: Correction | None = None


@dataclass
class DocView:
    raw: DocumentRecord
    corrected: DocumentRecord
    corrections: list[Correction]
    rows: list[Row] = field(default_factory=list)
    unmatched: list[Correction] = field(default_factory=list)
    reviewed: Correction | None = None   # the doc/status correction when marked reviewed
    facts: dict[str, Correction] = field(default_factory=dict)  # name -> its correction

    @property
    def sha256(self) -> str:
        return self.raw.sha256

    @property
    def far_count(self) -> int:
        """Targets whose year or tier came from the whole document or from nowhere."""
        return sum(1 for t in self.corrected.targets if _far(t))


def _view(raw: DocumentRecord, rows: list[Correction]) -> DocView:
    corrected, _, unmatched, claims = correct_record(raw, rows)
    v = DocView(raw=raw, corrected=corrected, corrections=rows)
    spans = target_spans(raw)
    # corrected.targets: the extracted ones in order (rejected left out), then the added ones
    shown = list(corrected.targets)
    k = 0
    for i, (t, span, c) in enumerate(zip(raw.targets, spans, claims, strict=True)):
        if c is not None and c["action"] == "reject":
            v.rows.append(Row(i, t, t, span, "rejected", c))
            continue
        now = shown[k]
        k += 1
        status = {"accept": "accepted", "edit": "edited"}.get(c["action"], "") if c else ""
        v.rows.append(Row(i, now, t, span, status, c))
    for (span, added), t in zip(added_targets(rows), shown[k:], strict=False):
        v.rows.append(Row(None, t, None, span, "added", added))
    unmatched_ids = {u.correction_id for u in unmatched}
    v.unmatched = [row for row in rows if row["id"] in unmatched_ids]
    for row in rows:
        if row["kind"] == "doc" and row["ident"] == "status" and row["action"] == "reviewed":
            v.reviewed = row
        elif row["kind"] == "fact" and row["action"] == "set":
            v.facts[row["ident"]] = row
    return v


class Documents:
    """The records and corrections of one store, read afresh for each request
    (a rerun of ``chitieu extract`` may have replaced them)."""

    def __init__(self, store_path: Path):
        self.store_path = Path(store_path)

    def store(self) -> Store:
        return Store(self.store_path)

    def records(self) -> list[DocumentRecord]:
        """The store's records of the last run: those named in ``documents.jsonl``
        beside the store when it is there, else every stored record."""
        wanted = _last_run(self.store_path.parent / "documents.jsonl")
        with self.store() as st:
            out = []
            for source, sha, payload in st.payloads():
                if wanted is not None and (source, sha) not in wanted:
                    continue
                out.append(from_payload(payload))
        out.sort(key=lambda r: (r.doc_id, r.source))
        return out

    def record(self, sha256: str) -> DocumentRecord:
        for rec in self.records():
            if rec.sha256 == sha256:
                return rec
        raise HTTPException(404, f"no document with sha256 {sha256} in {self.store_path}")

    def view(self, sha256: str) -> DocView:
        raw = self.record(sha256)
        with self.store() as st:
            return _view(raw, st.corrections(sha256))

    def views(self) -> list[DocView]:
        with self.store() as st:
            rows = st.corrections()
        by_sha: dict[str, list[Correction]] = {}
        for c in rows:
            by_sha.setdefault(c["sha256"], []).append(c)
        return [_view(r, by_sha.get(r.sha256, [])) for r in self.records()]


def _last_run(jsonl: Path) -> set[tuple[str, str]] | None:
    if not jsonl.is_file():
        return None
    out = set()
    with jsonl.open(encoding="utf-8-sig") as fh:
        for line in fh:
            try:
                obj = json.loads(line)
                out.add((str(obj["source"]), str(obj.get("sha256") or "")))
            except (ValueError, KeyError, TypeError):
                continue
    return out


# --------------------------------------------------------------------------
# Rendering helpers
# --------------------------------------------------------------------------

def _esc(text: str) -> str:
    """HTML-escape, keeping the text's length in the DOM (CR and NUL survive the parser)."""
    import html

    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\0", "\ufffd")


def highlight_values(text: str, rows: Iterable[Row]) -> str:
    """``text`` escaped, each row's value span wrapped in ``<mark data-row=…>``
    (a span inside or across one already marked is left to that one)."""
    marks: dict[tuple[int, int], list[str]] = {}
    for n, row in enumerate(rows):
        start, end, written = row.span
        if 0 <= start < end <= len(text) and text[start:end] == written:
            marks.setdefault((start, end), []).append(str(n))
    out, pos = [], 0
    for (start, end), ids in sorted(marks.items()):
        if start < pos:
            continue
        out.append(_esc(text[pos:start]))
        out.append(f'<mark class="v" id="v{ids[0]}" data-rows="{" ".join(ids)}">{_esc(text[start:end])}</mark>')
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _value_text(t: Target) -> str:
    v = _number(t.value) + (f"–{_number(t.value_max)}" if t.value_max is not None else "")
    unit = {"percent": "%", "percent_per_year": "%/năm"}.get(t.unit, "")
    sign = "≤ " if t.direction == "at_most" else ""
    return sign + v + unit + (" (implied)" if t.implied else "")


def _facts(rec: DocumentRecord) -> dict[str, str | None]:
    return {
        "doc_type": rec.doc_type, "number": rec.number, "issue_date": rec.issue_date, "place": rec.place,
        "issuing_body": rec.issuing_body, "parent_body": rec.parent_body, "admin_level": rec.admin_level,
        "province": rec.province, "district": rec.district,
        "signer_name": rec.signer.name if rec.signer else None,
        "signer_title": rec.signer.title if rec.signer else None, "title": rec.title,
    }


def _far(t: Target) -> bool:
    return t.year_source in FAR_SOURCES or t.tier_source in FAR_SOURCES


# --------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------

def create_app(output_dir: Path | str, *, who: str | None = None, token: str | None = None,
               hosts: Iterable[str] = ()) -> Starlette:
    """The review app over ``output_dir/chitieu.sqlite``.  ``who`` is recorded with
    each correction (default: the login name); ``token`` is the CSRF token
    (default: a fresh random one)."""
    output_dir = Path(output_dir)
    docs = Documents(output_dir / STORE_NAME)
    who = who or _login()
    csrf = token or secrets.token_urlsafe(32)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals.update(csrf=csrf, codes=CODES, fact_fields=FACT_FIELDS, who=who, output_dir=str(output_dir),
                       value_text=_value_text, number=_number, far=_far)

    def page(request: Request, name: str, **ctx: Any) -> Response:
        resp = templates.TemplateResponse(request, name, ctx)
        resp.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        resp.headers["X-Frame-Options"] = "DENY"
        return resp

    async def index(request: Request) -> Response:
        q = request.query_params
        views = docs.views()
        provinces = sorted({v.corrected.province for v in views if v.corrected.province})
        levels = sorted({v.corrected.admin_level for v in views if v.corrected.admin_level})
        shown = [v for v in views if _keep(v, q)]
        return page(request, "list.html", views=shown, total=len(views), q=q, provinces=provinces,
                    levels=levels, sources=("clause", "lead", "heading", "period", "document", "table", "none"))

    async def queue(request: Request) -> Response:
        items = []
        for v in docs.views():
            for n, row in enumerate(v.rows):
                if row.status:
                    continue
                items.append((0 if _far(row.target) else 1, v.raw.doc_id, row.span[0], n, v, row))
        items.sort(key=lambda x: x[:4])
        far = sum(1 for x in items if x[0] == 0)
        return page(request, "queue.html", items=items[:1000], count=len(items), far=far)

    async def document(request: Request) -> Response:
        sha = request.path_params["sha256"]
        v = docs.view(sha)
        text = v.raw.text
        body = highlight_values(text, v.rows) if isinstance(text, str) else None
        return page(request, "doc.html", v=v, body=body, facts=_facts(v.corrected),
                    original_facts=_facts(v.raw))

    async def _body(request: Request) -> dict[str, Any]:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise HTTPException(415, "send JSON")
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "not JSON") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "send a JSON object")
        return data

    def _sha(data: dict[str, Any]) -> DocumentRecord:
        sha = data.get("sha256")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ReviewError("sha256: not a file hash")
        return docs.record(sha)

    def _ok(rec: DocumentRecord, cid: int) -> JSONResponse:
        return JSONResponse({"ok": True, "id": cid, "sha256": rec.sha256})

    def _errors(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await fn(request)
            except ReviewError as exc:
                return JSONResponse({"ok": False, "error": str(exc)}, status_code=422)
        return wrapped

    @_errors
    async def api_target(request: Request) -> Response:
        data = await _body(request)
        rec = _sha(data)
        action = data.get("action")
        if action not in ("accept", "edit", "reject"):
            raise ReviewError("action: one of accept, edit, reject")
        i = data.get("index")
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(rec.targets):
            raise ReviewError(f"index: not a target of {rec.doc_id}")
        t = rec.targets[i]
        span = target_spans(rec)[i]
        snap = snapshot(t)
        fields = None
        if action == "edit":
            given = data.get("fields")
            if not isinstance(given, dict):
                raise ReviewError("fields: the edited target's fields")
            merged = {k: snap[k] for k in ("sector", "indicator", "subject", "tier", "year", "period_start",
                                          "value", "value_max", "unit", "direction", "group")}
            merged.update(given)
            if "sector" not in given and given.get("indicator") not in (None, "other"):
                merged["sector"] = None  # a new indicator brings its own sector
            fields = validate_target(merged)
        with docs.store() as st:
            cid = st.put_correction(sha256=rec.sha256, doc_id=rec.doc_id, kind="target",
                                    ident=target_ident(span, snap), action=action, who=who, span=span,
                                    original=snap, fields=fields)
        return _ok(rec, cid)

    @_errors
    async def api_add(request: Request) -> Response:
        data = await _body(request)
        rec = _sha(data)
        text = rec.text
        if not isinstance(text, str):
            raise ReviewError("this document has no text to select from")
        start, end = _offset(data.get("start")), _offset(data.get("end"))
        if start is None or end is None or not 0 <= start < end <= len(text):
            raise ReviewError("start/end: not a span of the text")
        if end - start > MAX_SPAN:
            raise ReviewError(f"the selection is longer than {MAX_SPAN} characters")
        written = text[start:end]
        if written.strip() != written:  # select the words, not the spaces around them
            lead = len(written) - len(written.lstrip())
            start, end = start + lead, start + lead + len(written.strip())
            written = text[start:end]
        if not written:
            raise ReviewError("the selection is only spaces")
        fields = dict(data.get("fields") or {})
        fields.setdefault("subject", None)
        fields = validate_target(fields)
        ev_start, ev_end = _line_around(text, start, end)
        original = {"evidence": {"text": text[ev_start:ev_end], "start": ev_start, "end": ev_end}}
        with docs.store() as st:
            cid = st.put_correction(sha256=rec.sha256, doc_id=rec.doc_id, kind="target",
                                    ident=json.dumps(["add", start, end, fields["indicator"], fields["tier"],
                                                      fields["year"], fields["group"]], ensure_ascii=False),
                                    action="add", who=who, span=(start, end, written),
                                    original=original, fields=fields)
        return _ok(rec, cid)

    @_errors
    async def api_fact(request: Request) -> Response:
        data = await _body(request)
        rec = _sha(data)
        name = data.get("name")
        if not isinstance(name, str):
            raise ReviewError("name: a document fact")
        value = validate_fact(name, data.get("value"))
        with docs.store() as st:
            cid = st.put_correction(sha256=rec.sha256, doc_id=rec.doc_id, kind="fact", ident=name,
                                    action="set", who=who, original={"value": _facts(rec)[name]},
                                    fields={"value": value})
        return _ok(rec, cid)

    @_errors
    async def api_status(request: Request) -> Response:
        data = await _body(request)
        rec = _sha(data)
        reviewed = data.get("reviewed")
        if not isinstance(reviewed, bool):
            raise ReviewError("reviewed: true or false")
        with docs.store() as st:
            cid = st.put_correction(sha256=rec.sha256, doc_id=rec.doc_id, kind="doc", ident="status",
                                    action="reviewed" if reviewed else "undone", who=who)
        return _ok(rec, cid)

    @_errors
    async def api_undo(request: Request) -> Response:
        data = await _body(request)
        rec = _sha(data)
        cid = data.get("id")
        with docs.store() as st:
            row = next((c for c in st.corrections(rec.sha256) if c["id"] == cid), None)
            if row is None:
                raise ReviewError(f"id: no correction {cid!r} of {rec.doc_id}")
            st.put_correction(sha256=rec.sha256, doc_id=rec.doc_id, kind=row["kind"], ident=row["ident"],
                              action="undone", who=who, span=correction_span(row), original=row["original"],
                              fields=row["fields"])
        return _ok(rec, row["id"])

    async def not_found(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException):  # registered for HTTPException only
            raise exc
        if request.url.path.startswith("/api/"):
            return JSONResponse({"ok": False, "error": exc.detail}, status_code=exc.status_code)
        return HTMLResponse(f"<!doctype html><title>{exc.status_code}</title><p>{_esc(str(exc.detail))}</p>"
                            f'<p><a href="/">documents</a></p>', status_code=exc.status_code)

    routes = [
        Route("/", index), Route("/queue", queue), Route("/doc/{sha256}", document),
        Route("/api/target", api_target, methods=["POST"]), Route("/api/add", api_add, methods=["POST"]),
        Route("/api/fact", api_fact, methods=["POST"]), Route("/api/status", api_status, methods=["POST"]),
        Route("/api/undo", api_undo, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found},
                     middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=[*LOOPBACK_HOSTS, *hosts])])


def _keep(v: DocView, q: QueryParams) -> bool:
    rec = v.corrected
    if q.get("province") and rec.province != q.get("province"):
        return False
    if q.get("level") and rec.admin_level != q.get("level"):
        return False
    failed = rec.error is not None
    if q.get("status") == "read" and failed or q.get("status") == "failed" and not failed:
        return False
    if q.get("warnings") == "yes" and not rec.warnings or q.get("warnings") == "no" and rec.warnings:
        return False
    if q.get("year_source") and not any(t.year_source == q.get("year_source") for t in rec.targets):
        return False
    if q.get("tier_source") and not any(t.tier_source == q.get("tier_source") for t in rec.targets):
        return False
    if q.get("reviewed") == "no" and v.reviewed is not None or q.get("reviewed") == "yes" and v.reviewed is None:
        return False
    return True


def _offset(x: Any) -> int | None:
    """A JSON integer (not a boolean), else ``None``."""
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The line (list item, table row) holding ``text[start:end]``, capped at :data:`MAX_EVIDENCE`."""
    a = text.rfind("\n", max(0, start - MAX_EVIDENCE), start) + 1 or max(0, start - MAX_EVIDENCE)
    b = text.find("\n", end, end + MAX_EVIDENCE)
    b = b if b >= 0 else min(len(text), end + MAX_EVIDENCE)
    while a < start and text[a] in " \t-+*•–":  # a list item's marker is not part of its sentence
        a += 1
    while b > end and text[b - 1] in " \t\r":
        b -= 1
    return a, max(b, end)


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without one)
        return "analyst"


# --------------------------------------------------------------------------
# Gold export
# --------------------------------------------------------------------------

def gold_of(rec: DocumentRecord, who: str = "") -> dict[str, Any]:
    """A corrected record in the gold format of ``../shared/gold``."""
    facts = _facts(rec)
    out: dict[str, Any] = {"doc_id": rec.doc_id}
    out.update({k: facts[k] for k in ("doc_type", "number", "issue_date", "place", "issuing_body",
                                       "parent_body", "admin_level", "province", "district",
                                       "signer_name", "signer_title")})
    out["references"] = [{"kind": r.kind, "number": r.number, "date": r.date, "issuer": r.issuer}
                         for r in rec.references]
    out["targets"] = []
    for t in rec.targets:
        g = {"sector": t.sector, "indicator": t.indicator, "tier": t.tier, "year": t.year,
             "value": int(t.value) if float(t.value).is_integer() else t.value,
             "value_max": None if t.value_max is None else (int(t.value_max) if float(t.value_max).is_integer()
                                                              else t.value_max),
             "unit": t.unit, "implied": t.implied, "period_start": t.period_start, "direction": t.direction}
        if t.group is not None:
            g["group"] = t.group
        g["quote"] = t.evidence.text[:300]
        out["targets"].append(g)
    out["notes"] = f"reviewed with chitieu review{' by ' + who if who else ''}"
    return out


def export_gold(output_dir: Path | str, gold_dir: Path | str) -> list[Path]:
    """Write each document marked reviewed, with its corrections, as
    ``gold_dir/<doc_id>.json``; the paths written."""
    docs = Documents(Path(output_dir) / STORE_NAME)
    gold_dir = Path(gold_dir)
    gold_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for v in docs.views():
        if v.reviewed is None or v.corrected.error is not None:
            continue
        path = gold_dir / f"{v.raw.doc_id}.json"
        data = json.dumps(gold_of(v.corrected, v.reviewed.get("who") or ""), ensure_ascii=False, indent=2) + "\n"
        path.write_text(data, encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------

def main(args: argparse.Namespace) -> int:
    """``chitieu review`` (parsed by :mod:`pipeline.cli`)."""
    prog = "chitieu review"
    store = Path(args.output_dir) / STORE_NAME
    if not store.is_file():
        print(f"{prog}: error: {store}: no such file (run 'chitieu extract ... --out {args.output_dir}' "
              "first)", file=sys.stderr)
        return 2
    if args.export_gold is not None:
        try:
            paths = export_gold(args.output_dir, args.export_gold)
        except OSError as exc:
            print(f"{prog}: error: cannot write gold files to {args.export_gold}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 3
        print(f"gold        {len(paths)} reviewed document{'' if len(paths) == 1 else 's'} written to "
              f"{args.export_gold}  (score with: chitieu eval {Path(args.output_dir) / 'documents.jsonl'} "
              f"{args.export_gold})")
        if not paths:
            print("            (none is marked reviewed yet: press 'Mark reviewed' on a document page)")
        return 0
    import uvicorn

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"{prog}: warning: serving on {args.host}, not this machine only; the app has no login",
              file=sys.stderr)
    hosts = () if args.host in ("127.0.0.1", "localhost", "::1") else (args.host,)
    app = create_app(args.output_dir, who=args.who, hosts=hosts)
    url = f"http://{'127.0.0.1' if args.host in ('127.0.0.1', 'localhost') else args.host}:{args.port}/"
    print(f"review      {url}  (Ctrl-C to stop; every correction is saved in {store} at once)", flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (url,)).start()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except KeyboardInterrupt:  # pragma: no cover
        pass
    return 0
