"""Development-only endpoints: tokens for the demo users, for the goal sheet's sign-in picker.

`create_app` includes this router only when `GOALPOST_ENV=dev`; in prod the paths do not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from goalpost.config import Settings
from goalpost.services.auth import issue_dev_token
from goalpost.services.demo import MEMBERSHIPS, USERS, subject_of

router = APIRouter(prefix="/dev", tags=["dev"], include_in_schema=False)


class DevToken(BaseModel):
    name: str
    email: str
    full_name: str
    memberships: list[str]
    token: str


@router.get("/tokens")
async def dev_tokens(request: Request) -> list[DevToken]:
    """A fresh token per demo user (docs/demo.md), labelled with the user's orgs and roles."""
    settings: Settings = request.app.state.settings
    # Belt and braces: the router is only mounted in dev, but never mint tokens elsewhere.
    if settings.env != "dev":
        raise HTTPException(status_code=404)
    if settings.jwt_secret is None:
        return []  # dev against a JWKS issuer: there is no local key to sign with
    return [
        DevToken(
            name=name,
            email=email,
            full_name=full_name,
            memberships=[
                f"{org} {role.value.lower()}" for who, org, role, _ in MEMBERSHIPS if who == name
            ],
            token=issue_dev_token(settings, subject_of(name)),
        )
        for name, (email, full_name) in USERS.items()
    ]
