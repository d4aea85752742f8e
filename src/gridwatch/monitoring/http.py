"""Readings over HTTP, for devices behind data gateways: a FastAPI router the web app can include.

``POST /api/monitoring/frames`` takes a text body with one HJ 212 frame per line and answers, per frame,
whether it was accepted; an accepted frame is stored (and its alarms evaluated) before the response is
sent.  The router is built around a running :class:`~gridwatch.monitoring.gateway.Gateway`, so TCP and
HTTP share one write path.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gridwatch.monitoring.gateway import Gateway

MAX_BODY_BYTES = 1_000_000


class FrameResult(BaseModel):
    accepted: bool
    error: str | None


class FramesResponse(BaseModel):
    accepted: int
    refused: int
    results: list[FrameResult]


def build_router(gateway: Gateway) -> APIRouter:
    router = APIRouter(prefix="/api/monitoring", tags=["monitoring"])

    @router.post("/frames", response_model=FramesResponse)
    async def post_frames(request: Request) -> FramesResponse:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return FramesResponse(
                accepted=0, refused=0, results=[FrameResult(accepted=False, error="body too large")]
            )
        results = []
        for line in body.splitlines():
            line = line.strip()
            if line:
                results.append(FrameResult.model_validate(await gateway.ingest(line)))
        ok = sum(r.accepted for r in results)
        return FramesResponse(accepted=ok, refused=len(results) - ok, results=results)

    @router.get("/gateway/stats")
    async def stats() -> dict[str, object]:
        return dict(gateway.stats.__dict__)

    return router
