"""The sales office's start page (SPEC §F): on the lead's tablet, one large tile per page of the chapter the user
may open (the 售楼处 navigation group, filled by the chapter's parts), and the teams the user reaches."""
from __future__ import annotations

from litestar import Request, Response, Router, get

from app.core.guards import requires
from app.core.nav import nav_for
from app.core.permissions import Perm
from app.core.web import render
from app.site import services


@get("/", guards=[requires(Perm.SITE)])
async def hub(request: Request) -> Response:
    user = request.user
    group = next((g for g in nav_for(user) if g.label == "售楼处"), None)
    tiles = [i for i in (group.items if group else ()) if i.url != "/site"]
    return render(request, "site/hub.html", {"tiles": tiles, "teams": await services.teams_for(user)})


router = Router(path="/site", route_handlers=[hub])
