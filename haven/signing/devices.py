"""A device description people can read ("Mobile Safari 17 on iOS 17.5, iPhone"), from the user agent."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse


def _version(*parts: str | None) -> str:
    return ".".join(part for part in parts if part)


@lru_cache(maxsize=512)
def describe_device(user_agent: str) -> str:
    """The browser, system and device named by a user agent; "Unknown device" when it names none."""
    if not user_agent.strip():
        return "Unknown device"
    result = parse(user_agent[:400])
    pieces: list[str] = []
    if result.user_agent is not None and result.user_agent.family != "Other":
        pieces.append(f"{result.user_agent.family} {_version(result.user_agent.major)}".strip())
    if result.os is not None and result.os.family != "Other":
        system = f"{result.os.family} {_version(result.os.major, result.os.minor)}".strip()
        pieces.append(f"on {system}" if pieces else system)
    text = " ".join(pieces)
    if result.device is not None and result.device.family not in {"Other", "Spider"}:
        text = f"{text}, {result.device.family}" if text else result.device.family
    return text[:200] or "Unknown device"
