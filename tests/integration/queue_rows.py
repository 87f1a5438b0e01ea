"""A unit's row in the pipeline's work queue, walking its pages (50 a page; ties on the due date are ordered differently
by the two engines, so a row is not always on the first page)."""
from __future__ import annotations

import re


async def queue_row(client, unit_id: int, *, task: str | None = None, contains: str = "", pages: int = 20) -> tuple[str, str]:
    """(the unit's row that holds `contains`, the first page's HTML); AssertionError when no page has it."""
    first = ""
    for page in range(1, pages + 1):
        params = {"page": str(page), **({"task": task} if task else {})}
        r = await client.get("/pipeline/queue", params=params)
        assert r.status_code == 200
        first = first or r.text
        for row in r.text.split('data-testid="queue-row"')[1:]:
            if f'/pipeline/units/{unit_id}"' in row and contains in row:
                return row, first
        found = re.search(r"共 (\d+) 条", r.text)
        if not found or page * 50 >= int(found.group(1)):
            break
    raise AssertionError(f"unit {unit_id} has no row{' with ' + contains if contains else ''} in the work queue")
