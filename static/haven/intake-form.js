// Forms in the portal (FORM-3): answers kept as a draft as the person types and as the page is left, questions
// that depend on an answer shown and hidden with it, and the signature pad of Share to Sign. Loaded only on a
// form's page; no inline script (CSP). Without it the page still works: Save draft and Submit post the whole
// form, and the server decides which questions apply.
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 4000; // milliseconds after the last change: a pause, not every keystroke
  var PNG_DATA_URL = "data:image/png;base64,";

  // One signature field: the pad draws; the hidden input keeps the drawing as a PNG data URL, which is what posts.
  function SignatureField(fieldset, changed) {
    var canvas = fieldset.querySelector("[data-signature-canvas]");
    var input = fieldset.querySelector("[data-signature-value]");
    var clear = fieldset.querySelector("[data-signature-clear]");
    var state = fieldset.querySelector("[data-signature-state]");
    var pad = new window.SignaturePad(canvas, {
      penColor: "#14205a",
      minWidth: 0.8,
      maxWidth: 2.6,
      backgroundColor: "rgba(0, 0, 0, 0)",
    });
    var lastWidth = 0;

    function say(signed) {
      if (state) {
        state.textContent = signed ? state.dataset.signedMessage || "" : "";
      }
    }

    // A kept drawing, fitted into the box without stretching (it may come from a screen of another width).
    function show(dataUrl) {
      var image = new Image();
      image.onload = function () {
        var width = canvas.offsetWidth;
        var height = canvas.offsetHeight;
        var scale = Math.min(width / image.width, height / image.height, 1);
        pad.fromDataURL(dataUrl, { width: image.width * scale, height: image.height * scale }).catch(function () {
          pad.clear();
        });
      };
      image.src = dataUrl;
    }

    // Drawn at the screen's real pixel density, so lines stay sharp on phones. Phones fire resize when the
    // address bar slides: only a new width redraws.
    function resize() {
      var width = canvas.offsetWidth;
      if (!width || width === lastWidth) {
        return;
      }
      var first = lastWidth === 0;
      lastWidth = width;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = width * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      if (first && input.value.indexOf(PNG_DATA_URL) === 0) {
        show(input.value); // after a refused submit, or coming back to a draft: the drawing is kept
      } else {
        pad.redraw();
      }
    }

    pad.addEventListener("endStroke", function () {
      input.value = pad.toDataURL("image/png");
      say(true);
      changed(fieldset);
    });
    clear.addEventListener("click", function () {
      pad.clear();
      input.value = "";
      say(false);
      changed(fieldset);
    });
    window.addEventListener("resize", resize);
    resize();
    return { resize: resize };
  }

  function setUp(form) {
    var url = form.dataset.autosaveUrl;
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var dirty = false; // changed since the last save that reached the server
    var saving = false;
    var again = false;
    var stopped = false; // the form no longer takes answers (submitted elsewhere), or the page is posting it
    var signatures = [];

    function say(text) {
      if (status && text) {
        status.textContent = text;
      }
    }

    function save() {
      timer = null;
      if (!dirty || stopped) {
        return;
      }
      if (saving) {
        again = true;
        return;
      }
      saving = true;
      dirty = false;
      say(form.dataset.savingMessage);
      // A redirect means the session ended: the sign-in page is no answer to a draft.
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "error" })
        .then(function (response) {
          return response.json().then(function (answer) {
            say(answer.status);
            if (!answer.saved) {
              stopped = true;
            }
          });
        })
        .catch(function () {
          dirty = true;
          say(form.dataset.failedMessage);
        })
        .finally(function () {
          saving = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }

    // A question answered again no longer shows its old problem (the server checks it again on Submit).
    function answered(element) {
      var question = element instanceof Element ? element.closest("[data-question]") : null;
      if (!question) {
        return;
      }
      question.querySelectorAll(".is-invalid").forEach(function (invalid) {
        invalid.classList.remove("is-invalid");
      });
      question.querySelectorAll("[aria-invalid]").forEach(function (invalid) {
        invalid.removeAttribute("aria-invalid");
      });
      question.querySelectorAll(".invalid-feedback").forEach(function (problem) {
        problem.remove();
      });
      // Its line in the summary at the top goes too, and the summary once it names nothing.
      document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target || !question.contains(target)) {
          return;
        }
        var summary = link.closest("[data-error-summary]");
        var item = link.closest("li");
        if (item) {
          item.remove();
        }
        if (summary && !summary.querySelector("li")) {
          summary.remove();
        }
      });
    }

    function schedule(element) {
      answered(element);
      dirty = true;
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, AUTOSAVE_DELAY);
    }

    // The page is hidden (a phone's screen locks, another app opens) or left: what is not saved yet goes now.
    function flush() {
      if (!dirty || stopped) {
        return;
      }
      if (timer) {
        window.clearTimeout(timer);
        timer = null;
      }
      var data = new FormData(form);
      var sent = typeof navigator.sendBeacon === "function" && navigator.sendBeacon(url, data);
      if (!sent) {
        fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true }).catch(function () {});
      }
      dirty = false;
    }

    function answerOf(name) {
      var values = [];
      // Names are "f_" and a field's key: small letters, digits and underscores, safe in a selector.
      form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.checked) {
            values.push(input.value);
          }
        } else if (input.value.trim()) {
          values.push(input.value.trim());
        }
      });
      return values;
    }

    // As the server decides (Schema.visible): a question shows when the answer it depends on is given, and that
    // answer's own question shows.
    function showDependents() {
      var hidden = {};
      form.querySelectorAll("[data-question]").forEach(function (question) {
        var name = question.dataset.whenName;
        if (name) {
          var show = !hidden[name] && answerOf(name).indexOf(question.dataset.whenEquals) !== -1;
          if (question.hidden === show) {
            question.hidden = !show;
            if (show) {
              signatures.forEach(function (signature) {
                signature.resize();
              });
            }
          }
        }
        if (question.hidden) {
          hidden["f_" + question.dataset.question] = true;
        }
      });
    }

    if (typeof window.SignaturePad === "function") {
      form.querySelectorAll("[data-intake-signature]").forEach(function (fieldset) {
        signatures.push(SignatureField(fieldset, schedule));
      });
    }

    form.addEventListener("input", function (event) {
      showDependents();
      schedule(event.target);
    });
    form.addEventListener("change", function (event) {
      showDependents();
      schedule(event.target);
    });
    // Enter in a one-line answer keeps the draft rather than posting the page.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target instanceof HTMLInputElement && target.type !== "submit") {
        event.preventDefault();
        dirty = true;
        save();
      }
    });
    form.addEventListener("submit", function () {
      stopped = true; // the page posts every answer itself
      if (timer) {
        window.clearTimeout(timer);
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      }
    });
    window.addEventListener("pagehide", flush);
    // Back to a page the browser kept: it takes answers again (the server says if the form has closed).
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        stopped = false;
      }
    });
    showDependents();
  }

  function start() {
    document.querySelectorAll("[data-intake-form]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
