// Haven's small behaviours. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // A form or button with data-confirm asks before it submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // A button with data-print opens the browser's print dialog (recovery codes).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      window.print();
    }
  });

  // A select with data-submit-on-change submits its form (with a button kept for keyboard users).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.dataset.submitOnChange !== undefined && target.form) {
      target.form.requestSubmit();
    }
  });
})();
