"""Screenshots for looking at the pages (written to screenshots/) and the check every one of them makes: the page does
not overflow the screen sideways. One helper for every browser test that takes them."""
from __future__ import annotations

from pathlib import Path

from e2e.waits import settle

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "").replace("&", "-") or "home"


def shoot(page, name: str, *, full_page: bool = False) -> None:
    """Screenshot the current page as screenshots/<name>.png and fail if it is wider than the window."""
    OUT.mkdir(exist_ok=True)
    settle(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(OUT / f"{name.removesuffix('.png')}.png"), full_page=full_page)
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert overflow <= 1, f"{name} overflows by {overflow}px at {width}px ({page.url})"


def visit(page, url: str, name: str, *, status: int = 200, full_page: bool = False) -> None:
    """Open `url`, check its status, then `shoot` it."""
    response = page.goto(url)
    assert response.status == status, f"{url}: {response.status}"
    shoot(page, name, full_page=full_page)
