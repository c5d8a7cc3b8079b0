"""TOTP and recovery codes. Services flush; the view commits once.

Codes are 6 digits for 30-second steps (RFC 6238, what every authenticator app speaks), accepted
one step either side for clocks that drift, and each step only once (ASVS 6.5.1/6.5.5).
"""

import base64
import hashlib
import hmac
import io
import logging
import secrets
import time
from functools import cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, select, update

from kennisnet.accounts.models import User
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.twofactor.models import RecoveryCode, TotpCredential

log = logging.getLogger(__name__)

ISSUER = "kennisnet"
TOLERANCE_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 15  # 120 bits: 24 base32 characters


@cache
def _box(secret_key: str) -> Fernet:
    # A key of its own, derived from SECRET_KEY, so a database dump alone does not give the
    # secrets away. Changing SECRET_KEY makes the stored secrets unreadable (recovery codes and
    # `kennisnet reset-2fa` still work).
    key = HKDF(algorithm=SHA256(), length=32, salt=None,
               info=b"kennisnet totp secret v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _box(current_app.config["SECRET_KEY"]).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    try:
        return _box(current_app.config["SECRET_KEY"]).decrypt(token.encode()).decode()
    except InvalidToken:
        log.warning("a TOTP secret could not be decrypted; was SECRET_KEY changed?")
        return None


def is_enabled(user) -> bool:
    credential = getattr(user, "totp_credential", None)
    return credential is not None and credential.is_confirmed


def pending_setup(user: User) -> TotpCredential | None:
    credential = user.totp_credential
    return credential if credential is not None and not credential.is_confirmed else None


def start_setup(user: User) -> TotpCredential:
    """A fresh, unconfirmed secret for the user, replacing an earlier unconfirmed one."""
    credential = user.totp_credential
    if credential is not None and credential.is_confirmed:
        raise ValueError("second factor already enabled")
    if credential is None:
        credential = TotpCredential(user=user)
        db.session.add(credential)
    credential.secret_encrypted = encrypt_secret(pyotp.random_base32())
    credential.last_used_step = 0
    credential.created_at = utcnow()
    db.session.flush()
    return credential


def secret_of(credential: TotpCredential) -> str | None:
    return decrypt_secret(credential.secret_encrypted)


def grouped(secret: str) -> str:
    """The secret in blocks of four, easier to type over."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> bytes:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4,
                                     title="kennisnet", xmldecl=False)
    return buffer.getvalue()


def verify_code(credential: TotpCredential, code: str, now: float | None = None) -> bool:
    """True for the code of the current step or one either side, once per step: the step is
    claimed, and only a later step can be used after it."""
    code = "".join((code or "").split())
    if len(code) != 6 or not (code.isascii() and code.isdigit()):  # compare_digest wants ASCII
        return False
    secret = secret_of(credential)
    if secret is None:
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        if step > credential.last_used_step and hmac.compare_digest(totp.generate_otp(step), code):
            return _claim_step(credential, step)
    return False


def _claim_step(credential: TotpCredential, step: int) -> bool:
    # A conditional update, so two requests (or workers) given the same code cannot both win.
    result = db.session.execute(
        update(TotpCredential)
        .where(TotpCredential.id == credential.id, TotpCredential.last_used_step < step)
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(credential, ["last_used_step"])
    return result.rowcount == 1


def confirm_setup(credential: TotpCredential, code: str, now: float | None = None
                  ) -> list[str] | None:
    """The new recovery codes when the code proves the app has the secret; otherwise None."""
    if credential.is_confirmed or not verify_code(credential, code, now):
        return None
    credential.confirmed_at = utcnow()
    return new_recovery_codes(credential.user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes exist only in the return value."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_make_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return codes


def _make_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _normalise_recovery_code(text: str) -> str:
    # Base32 has no 0 or 8, so these can only be a misread o or b.
    cleaned = "".join(ch for ch in (text or "").lower() if ch.isalnum())
    return cleaned.translate(str.maketrans({"0": "o", "8": "b"}))


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


def use_recovery_code(user: User, text: str) -> bool:
    """True once per code: the code is marked used in the same statement that finds it."""
    if len(_normalise_recovery_code(text)) != RECOVERY_CODE_BYTES * 8 // 5:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(text),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def verify_second_factor(user: User, text: str, now: float | None = None) -> str | None:
    """"totp" or "recovery" for whichever the text was and proved; None when it proved nothing."""
    credential = user.totp_credential
    if credential is None or not credential.is_confirmed:
        return None
    if verify_code(credential, text, now):
        return "totp"
    if use_recovery_code(user, text):
        return "recovery"
    return None


def disable(user: User) -> None:
    """Forget the secret and the recovery codes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.expire(user, ["totp_credential"])
