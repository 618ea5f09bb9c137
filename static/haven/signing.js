// Review and sign (SIGN-3): the signature pad, or a typed signature. Loaded only on the signing page;
// no inline script (CSP).
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-canvas]");
    var area = form.querySelector("#signature-area");
    var addButton = form.querySelector("[data-signature-add]");
    var clearButton = form.querySelector("[data-signature-clear]");
    var input = form.querySelector("[data-signature-value]");
    var error = form.querySelector("[data-signature-error]");
    var methods = form.querySelectorAll("[data-signature-method]");
    var panels = form.querySelectorAll("[data-signature-panel]");
    var typed = form.querySelector("#id_typed_name");
    var preview = form.querySelector("[data-typed-preview]");
    if (!canvas || !area || !input || typeof window.SignaturePad !== "function") {
      return; // without the pad the form still posts, and the server explains what is missing
    }
    var pad = new window.SignaturePad(canvas, {
      penColor: "#14205a",
      minWidth: 0.8,
      maxWidth: 2.6,
      backgroundColor: "rgba(0, 0, 0, 0)",
    });
    var lastWidth = 0;

    // The canvas is drawn at the screen's real pixel density, so lines stay sharp on phones.
    function resize() {
      if (area.hidden) {
        return;
      }
      var width = canvas.offsetWidth;
      if (!width || width === lastWidth) {
        return; // phones fire resize when the address bar slides: keep the drawing
      }
      lastWidth = width;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = width * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.redraw();
    }

    function showError(message) {
      error.textContent = message;
      canvas.parentElement.classList.toggle("is-invalid", Boolean(message));
    }

    function chosen() {
      var checked = form.querySelector("[data-signature-method]:checked");
      return checked ? checked.value : "drawn";
    }

    // Draw or Type: only the chosen way shows, and only it is sent.
    function showChosen() {
      var method = chosen();
      panels.forEach(function (panel) {
        panel.hidden = panel.dataset.signaturePanel !== method;
      });
      resize();
    }

    function reveal() {
      area.hidden = false;
      if (addButton) {
        addButton.setAttribute("aria-expanded", "true");
      }
      showChosen();
    }

    methods.forEach(function (method) {
      method.addEventListener("change", showChosen);
    });
    if (typed && preview) {
      typed.addEventListener("input", function () {
        preview.textContent = typed.value;
      });
    }

    if (addButton) {
      addButton.addEventListener("click", function () {
        reveal();
        area.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
    }
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        pad.clear();
        input.value = "";
      });
    }
    pad.addEventListener("beginStroke", function () {
      showError("");
    });
    window.addEventListener("resize", resize);

    // After a refused attempt the server sends the drawing back: show it again, nothing to redraw.
    if (input.value.indexOf("data:image/png;base64,") === 0) {
      reveal();
      pad.fromDataURL(input.value).catch(function () {
        pad.clear();
        input.value = "";
      });
    } else {
      input.value = "";
      if (!area.hidden) {
        resize();
      }
    }

    form.addEventListener("submit", function (event) {
      if (chosen() === "typed") {
        input.value = ""; // the typed name is the signature; the server explains an empty one
        return;
      }
      if (pad.isEmpty()) {
        event.preventDefault();
        reveal();
        showError(error.dataset.emptyMessage || "");
        (addButton || canvas).focus();
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }

  function start() {
    document.querySelectorAll("[data-signing-form]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
