"""The relay's routers. Each module listed here exposes ``router: fastapi.APIRouter``.

``server.app.create_app`` includes them in this order. To add routes, create a module and append its
dotted name here (relay engineer B appends the device, inbox, events, stats and feedback modules).
"""

ROUTER_MODULES: list[str] = [
    "server.routes.health",
    "server.routes.public",
    "server.routes.auth",
    "server.routes.enrolment",
    "server.routes.me",
    "server.routes.org",
    "server.routes.articles",
    "server.routes.devices",
    "server.routes.device",
    "server.routes.inbox",
    "server.routes.events",
    "server.routes.stats",
    "server.routes.feedback",
]
