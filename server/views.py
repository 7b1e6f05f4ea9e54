"""Database rows → API bodies (one place, so every endpoint shows an object the same way)."""

from __future__ import annotations

from opgelucht_desk.protocol.encoding import b64e
from server.clock import unix
from server.config import Settings
from server.models import Article, Counsellor, Org, OrgCode, Roster
from server.orgs import code_qr_payload
from server.schemas import ArticleOut, CodeOut, CounsellorOut, DeviceBundle, SignedRosterBody


def counsellor_out(counsellor: Counsellor) -> CounsellorOut:
    return CounsellorOut(
        counsellor_id=counsellor.id,
        org_id=counsellor.org_id,
        username=counsellor.username,
        display_name=counsellor.display_name,
        role=counsellor.role,  # type: ignore[arg-type]
        identity_key=b64e(counsellor.identity_key) if counsellor.identity_key else None,
        devices=[
            DeviceBundle.of(d.device_id, d.enc_pk, d.sign_pk, d.identity_sig, d.self_sig)
            for d in counsellor.devices
        ],
    )


def roster_out(roster: Roster | None) -> SignedRosterBody | None:
    return None if roster is None else SignedRosterBody(body=b64e(roster.body), sig=b64e(roster.sig))


def code_out(code: OrgCode, org: Org, settings: Settings) -> CodeOut:
    return CodeOut(
        code=code.code,
        label=code.label,
        created_at=unix(code.created_at),
        revoked_at=unix(code.revoked_at) if code.revoked_at else None,
        qr_payload=code_qr_payload(code, org, settings),
    )


def article_out(article: Article) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        title=article.title,
        body=article.body,
        language=article.language,  # type: ignore[arg-type]
        published=article.published,
        created_at=unix(article.created_at),
        updated_at=unix(article.updated_at),
    )
