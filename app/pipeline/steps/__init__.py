"""The pipeline's steps, one module each (认购, 签约, 按揭, 备案, 交房, 产权证, 解押 …). A step module may declare:

- `PANELS = [DealPanel(...)]`: what the step shows in the unit page's 办理 card (or as its own card, `place="card"`);
- `ROUTES = [...]`: its Litestar handlers, mounted under /pipeline beside the pipeline's own routes;
- `SETTINGS = {key: (label, SPEC default)}`: its limits, PipelineSetting rows the admin edits (seeded with these);
- `REMINDERS = [async fn(ctx) -> int]`: its reminders, run by `python -m app.pipeline.remind` (ctx: RemindContext);
- `CLOSES = {action: (clock, ...)}`: the reminder clocks an action of the step completes (see remind.step_done);
- `QUEUE = [async fn(user, limits) -> list[dict]]`: its rows in the work queue (same keys as queries.queue's rows).

Modules are found, not listed: adding a step touches no central file."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Awaitable, Callable


@dataclass(frozen=True)
class DealPanel:
    key: str
    order: int  # 10 认购 · 20 签约 · 30 按揭 · 40 备案 · 50 交房 · 60 产权证 · 90 others
    template: str  # rendered with the unit page's context plus the dict `context` returns, under the name `panel`
    context: Callable[[Any, dict, dict], Awaitable[dict | None]]  # (user, deal row, unit page) → data, or None: nothing to show
    place: str = "actions"  # "actions": inside the 办理 card (counts as something to do) · "card": its own card below it


_MODULES: list[ModuleType] | None = None


def step_modules() -> list[ModuleType]:
    global _MODULES
    if _MODULES is None:
        _MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
                    if not m.name.startswith("_")]
    return _MODULES


def collect(attr: str) -> list:
    return [x for m in step_modules() for x in getattr(m, attr, ())]


def collect_dict(attr: str) -> dict:
    out: dict = {}
    for m in step_modules():
        for k, v in getattr(m, attr, {}).items():
            if k in out:
                raise RuntimeError(f"{attr} key {k!r} declared twice (in {m.__name__})")
            out[k] = v
    return out


async def panels_for(user, deal: dict, page: dict) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """([(template, data)] for the 办理 card, [(template, data)] for the cards below it), in the steps' order."""
    actions, cards = [], []
    for p in sorted(collect("PANELS"), key=lambda p: (p.order, p.key)):
        data = await p.context(user, deal, page)
        if data is not None:
            (actions if p.place == "actions" else cards).append((p.template, data))
    return actions, cards
