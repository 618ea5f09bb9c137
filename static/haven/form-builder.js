// The form builder (templates/staff/forms/builder.html): the open field's editor shows only the parts its type of
// field uses. Every part is still sent, and the server keeps only what the type uses; without this script the
// type's Apply button shows the right parts.
(function () {
  "use strict";

  function showPartsFor(select) {
    var editor = select.closest("[data-field-editor]");
    if (!editor) {
      return;
    }
    editor.querySelectorAll("[data-for-types]").forEach(function (part) {
      part.hidden = part.dataset.forTypes.split(" ").indexOf(select.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.dataset.fieldType !== undefined) {
      showPartsFor(target);
    }
  });
})();
