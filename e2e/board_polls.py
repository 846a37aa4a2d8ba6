"""Counting the dosing board's polls from a browser test.

Most polls answer "nothing changed" and swap nothing, so requests are counted, not
swaps; swaps are counted apart. The counts are read from the test (the page's CSP
forbids the eval a string predicate for wait_for_function would need)."""

from __future__ import annotations

from playwright.sync_api import Page

WATCH_POLLS = """() => {
  window.__polls = 0;
  window.__swaps = 0;
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt.id === "board-live") window.__polls += 1;
  });
  document.addEventListener("htmx:afterSwap", () => { window.__swaps += 1; });
}"""


def watch_polls(page: Page) -> None:
    page.evaluate(WATCH_POLLS)


def wait_for_polls(page: Page, count: int, *, seconds: int = 20) -> None:
    target = page.evaluate("window.__polls") + count
    for _ in range(seconds * 10):
        if page.evaluate("window.__polls") >= target:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the board did not poll {count} more times in {seconds} s")
