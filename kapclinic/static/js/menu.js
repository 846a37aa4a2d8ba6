// The main navigation folds behind a "Menu" button on narrow screens.
// Without this script the button stays hidden and the links simply wrap.
(function () {
  "use strict";
  const button = document.querySelector(".menu-toggle");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !menu) return;
  button.hidden = false;
  document.documentElement.classList.add("has-menu-toggle");
  button.addEventListener("click", function () {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();
