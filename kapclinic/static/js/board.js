// The dosing board's announcements for screen readers.
//
// htmx swaps in a fresh copy of the board every few seconds. A live region inside
// that copy would be announced again on every poll, so the urgent banner there is
// only seen; this script reads the open alerts' ids from each copy and writes the
// alerts not yet announced into the one live region outside it (#board-announcer).
// Alerts announced in this tab are remembered for the tab (sessionStorage), so the
// reload after an acknowledgement does not repeat the alerts still open.
(function () {
  "use strict";
  const region = document.getElementById("board-announcer");
  if (!region) return;
  const key = "kapclinic.board.announced." + (region.dataset.site || "");
  let announced = new Set();
  try {
    announced = new Set(JSON.parse(window.sessionStorage.getItem(key) || "[]"));
  } catch (ignored) {
    // Storage unavailable or unreadable: announce what is open now.
  }

  function remember() {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(Array.from(announced)));
    } catch (ignored) {
      // Without storage a reload announces the open alerts again: acceptable.
    }
  }

  function check() {
    const live = document.getElementById("board-live");
    if (!live) return;
    const open = new Set();
    const fresh = [];
    live.querySelectorAll("[data-alert-id]").forEach(function (item) {
      const id = item.dataset.alertId;
      open.add(id);
      if (!announced.has(id)) fresh.push(item.dataset.announce);
    });
    // Acknowledged alerts never reopen: forget them, so the list stays short.
    announced = open;
    remember();
    if (fresh.length) {
      region.textContent = "Urgent: " + fresh.join(". ");
    } else if (!open.size && region.textContent) {
      // Nothing open: no stale alert left for someone reading the page later.
      region.textContent = "";
    }
  }

  document.addEventListener("htmx:afterSettle", check);
  // Give assistive technology a moment to register the empty region before the
  // first words arrive, or the alerts open at page load may not be read.
  window.setTimeout(check, 400);
})();
