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

  // Whether the board is still in touch with the server. Each poll (a fresh copy, or
  // "nothing changed") brings the server's clock; when none has got through for a
  // while the nurse must not take the board for current, so the status line turns
  // into a warning and the alert region says it once; and once more when it recovers.
  const status = document.getElementById("board-status");
  const STALE_MS = 10000;
  let lastOk = Date.now();
  let lastClock = status ? status.dataset.clock : "";
  let stale = false;

  function fromBoard(event) {
    const source = event.detail && event.detail.elt;
    return source && source.id === "board-live";
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!status || !fromBoard(event)) return;
    const xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr) return;
    lastOk = Date.now();
    lastClock = xhr.getResponseHeader("X-Board-Time") || lastClock;
    status.textContent = "Up to date at " + lastClock + ".";
    if (stale) {
      stale = false;
      status.classList.remove("board-stale");
      region.textContent = "The board is updating again.";
    }
  });

  window.setInterval(function () {
    if (!status || stale || Date.now() - lastOk < STALE_MS) return;
    stale = true;
    status.classList.add("board-stale");
    status.textContent =
      "Not updating since " + lastClock + ": the connection to the clinic's server is lost. " +
      "Watch the patients and monitors directly; this page keeps trying.";
    region.textContent = "The board has stopped updating. Watch the patients directly.";
  }, 1000);
  // Give assistive technology a moment to register the empty region before the
  // first words arrive, or the alerts open at page load may not be read.
  window.setTimeout(check, 400);
})();
