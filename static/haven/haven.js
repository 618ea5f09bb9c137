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

  // An error summary (templates/forms/error_summary.html) takes focus when the page loads, so a refused form
  // starts at what went wrong, however far down the page the form is; its links move focus to each field.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary instanceof HTMLElement) {
      summary.focus({ preventScroll: true });
      summary.scrollIntoView({ block: "start" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target instanceof Element ? target.closest("[data-error-summary] a[href^='#']") : null;
    var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    if (field) {
      event.preventDefault();
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
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
