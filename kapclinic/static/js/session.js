// Idle sign-out, seen from the browser.
//
// The server signs a session out after SESSION_IDLE_TIMEOUT without a request
// (accounts/middleware.py). Someone typing a long note makes no requests, so this
// script tells the server about keyboard and pointer activity (at most once a
// minute), warns before the limit with a chance to stay, and when the limit has
// passed takes the page to sign-in rather than letting the next save fail.
(function () {
  "use strict";
  const body = document.body;
  const idleMs = Number(body.dataset.sessionIdle || 0) * 1000;
  const keepaliveUrl = body.dataset.keepaliveUrl;
  const loginUrl = body.dataset.loginUrl;
  const dialog = document.getElementById("session-warning");
  if (!idleMs || !keepaliveUrl || !loginUrl || !dialog) {
    return;
  }
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.content : "";
  const warnMs = Math.min(120000, idleMs / 3);
  const pingEveryMs = Math.min(60000, idleMs / 4);
  const graceMs = 2000; // let the server's clock pass the limit first
  const countdown = dialog.querySelector("[data-session-countdown]");
  const stay = dialog.querySelector("[data-session-stay]");
  let lastContact = Date.now(); // loading this page was a request
  let leaving = false;

  function signIn() {
    if (leaving) return;
    leaving = true;
    const here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
  }

  function ping() {
    lastContact = Date.now();
    return fetch(keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
      credentials: "same-origin",
      redirect: "manual",
    }).then(function (response) {
      if (response.status !== 204) signIn();
    });
  }

  function activity() {
    if (!dialog.open && Date.now() - lastContact >= pingEveryMs) ping();
  }

  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });

  // Requests made by htmx count as contact too.
  document.addEventListener("htmx:afterRequest", function () {
    lastContact = Date.now();
  });

  stay.addEventListener("click", function () {
    ping().then(function () {
      if (!leaving) dialog.close();
    });
  });

  window.setInterval(function () {
    const remaining = idleMs - (Date.now() - lastContact);
    if (remaining <= -graceMs) {
      // Past the limit for this page. Ask the server: another tab may have kept the
      // session alive (then carry on); otherwise it answers with the sign-in redirect.
      ping().then(function () {
        if (!leaving) dialog.close();
      });
      return;
    }
    if (remaining <= warnMs) {
      const seconds = Math.max(0, Math.ceil(remaining / 1000));
      countdown.textContent =
        seconds >= 60 ? Math.ceil(seconds / 60) + " minutes" : seconds + " seconds";
      if (!dialog.open) dialog.showModal();
    }
  }, 1000);
})();
