// Intake questions asked only where they apply: a form with
// data-asked-when="applies=yes" shows its follow-up groups (fieldset.group) only
// once that answer is chosen, so nobody is asked about pregnancy after saying it
// does not apply to them. Without scripts every question shows, under a legend
// saying when to answer it.
(function () {
  "use strict";
  function update(form) {
    const parts = form.dataset.askedWhen.split("=");
    const chosen = form.querySelector('input[name="' + parts[0] + '"]:checked');
    const show = chosen !== null && chosen.value === parts[1];
    form.querySelectorAll("fieldset.group").forEach(function (group) {
      group.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-asked-when]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () {
        update(form);
      });
    });
  });
})();
