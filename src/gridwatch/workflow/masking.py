"""Masking of personal data (names, phones, account numbers) for roles that must not see it."""

from __future__ import annotations


def mask_account(account_no: str | None) -> str | None:
    """Keep the first 2 and last 3 characters: ``0300123456`` → ``03*****456``."""
    if not account_no:
        return account_no
    if len(account_no) <= 5:
        return "*" * len(account_no)
    return account_no[:2] + "*" * (len(account_no) - 5) + account_no[-3:]


def mask_name(name: str | None) -> str | None:
    """Keep the first character: ``张三丰`` → ``张**``; company names keep 2 characters and the tail."""
    if not name:
        return name
    if len(name) <= 3:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
