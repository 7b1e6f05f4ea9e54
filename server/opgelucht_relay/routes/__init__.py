"""The relay's routers, in the order ``opgelucht_relay.app.create_app`` includes them (one module per API
area)."""

from fastapi import APIRouter

from opgelucht_relay.routes import (
    articles,
    auth,
    blobs,
    device,
    devices,
    enrolment,
    events,
    feedback,
    health,
    inbox,
    me,
    org,
    public,
    register,
    stats,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    public.router,
    auth.router,
    enrolment.router,
    me.router,
    org.router,
    articles.router,
    devices.router,
    device.router,
    inbox.router,
    events.router,
    stats.router,
    feedback.router,
    register.router,
    blobs.router,
)
