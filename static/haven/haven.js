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

  // The group note's client picker: Add and Remove move clients between the search results and the chosen
  // chips in place; without this script the same buttons post the form back and the server does it.
  function pickerOf(element) {
    return element instanceof Element ? element.closest("[data-client-picker]") : null;
  }

  function announce(picker, pattern, name) {
    var status = picker.querySelector("[data-picker-status]");
    var chosen = picker.querySelectorAll("[data-picker-chips] [data-picker-chip]").length;
    if (status) {
      status.textContent =
        (pattern || "").replace("{name}", name) + " " + (picker.dataset.chosenCount || "").replace("{count}", chosen);
    }
  }

  function searchBox(picker) {
    return picker.querySelector("input[type=search]");
  }

  function addClient(picker, button) {
    var chips = picker.querySelector("[data-picker-chips]");
    var template = picker.querySelector("template[data-picker-chip-template]");
    var label = button.dataset.label || "";
    if (!chips.querySelector('[data-picker-chip="' + button.value + '"]')) {
      var chip = template.content.firstElementChild.cloneNode(true);
      chip.dataset.pickerChip = button.value;
      chip.querySelector("input[name=clients]").value = button.value;
      chip.querySelector("[data-chip-label]").textContent = label;
      var remove = chip.querySelector("[data-picker-remove]");
      remove.value = button.value;
      remove.dataset.label = label;
      remove.setAttribute("aria-label", picker.dataset.removeLabel.replace("{name}", label));
      chips.appendChild(chip);
    }
    var row = button.closest("[data-picker-result]");
    var next = row && (row.nextElementSibling || row.previousElementSibling);
    if (row) row.remove();
    var focus = next ? next.querySelector("[data-picker-add]") : null;
    (focus || searchBox(picker)).focus();
    announce(picker, picker.dataset.addedMessage, label);
  }

  function removeClient(picker, button) {
    var chip = button.closest("[data-picker-chip]");
    var label = chip ? chip.querySelector("[data-chip-label]").textContent : "";
    if (chip) chip.remove();
    var box = searchBox(picker);
    box.focus();
    if (box.value.trim() && window.htmx) window.htmx.trigger(box, "search");  // the client may match again
    announce(picker, picker.dataset.removedMessage, label);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element
      ? event.target.closest("[data-picker-add], [data-picker-remove], [data-picker-search]")
      : null;
    var picker = pickerOf(target);
    if (!target || !picker || !window.htmx) return;
    event.preventDefault();
    if (target.hasAttribute("data-picker-search")) {
      window.htmx.trigger(searchBox(picker), "search");
    } else if (target.hasAttribute("data-picker-add")) {
      addClient(picker, target);
    } else {
      removeClient(picker, target);
    }
  });

  // Enter in the search box searches at once instead of sending the form.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target instanceof HTMLInputElement && target.type === "search" && pickerOf(target)) {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(target, "search");
    }
  });

  // Saving sends the chosen clients, not what is left in the search box.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("[data-client-picker]")) return;
    if (!submitter || !submitter.name || submitter.name === "save") {
      var box = form.querySelector("[data-client-picker] input[type=search]");
      if (box) box.value = "";
    }
  });

  // New results: say how many were found, once, instead of reading the whole list aloud.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.target;
    var picker = pickerOf(target);
    if (!picker || !target.matches("[data-picker-results]")) return;
    var summary = target.querySelector("[data-picker-summary]");
    var status = picker.querySelector("[data-picker-status]");
    if (status && summary) status.textContent = summary.dataset.pickerSummary;
  });

  // A button with data-copy-from="id" copies that field's text (the calendar link) and says so in the element
  // named by data-copy-status; without the clipboard (an http page), the text is selected for the person to copy.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy-from]") : null;
    var field = button ? document.getElementById(button.dataset.copyFrom) : null;
    if (!(field instanceof HTMLInputElement)) return;
    var status = button.dataset.copyStatus ? document.getElementById(button.dataset.copyStatus) : null;
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = button.dataset.copied || "";
      });
    }
  });
})();
