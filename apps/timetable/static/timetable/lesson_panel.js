/* The lesson panel of the journal grid (ORG-7, ORG-8): shows the lesson's room, whether it was
 * cancelled, moved or given by a substitute, and lets a substitute edit only her own lesson.
 * Reads the lesson's column head (its data- attributes and marks); grid.js fills the rest.
 */
(function () {
  "use strict";

  var panel = document.getElementById("lesson-panel");
  var table = document.getElementById("journal-grid");
  var form = document.getElementById("journal-grid-form");
  if (!panel || !table || !form) return;
  var extra = panel.querySelector("[data-lesson-extra]");
  var fieldset = panel.querySelector("fieldset");
  var submit = panel.querySelector("button[type=submit]");
  var canEdit = form.dataset.canWrite === "1";

  function text(head, selector) {
    var el = head.querySelector(selector);
    return el ? el.textContent.trim() : "";
  }

  function show(head) {
    var parts = [text(head, ".lx"), text(head, ".lt"), head.dataset.changeNote || "", text(head, ".lr")].filter(
      function (p) {
        return p;
      }
    );
    if (extra) {
      extra.textContent = parts.join("; ");
      extra.hidden = !parts.length;
    }
    // A substitute writes only her own lesson: the others open read-only.
    if (canEdit) {
      var writable = head.dataset.writable === "1";
      if (fieldset) fieldset.disabled = !writable;
      if (submit) submit.hidden = !writable;
    }
  }

  table.querySelectorAll("a.lesson-head").forEach(function (head) {
    head.addEventListener("click", function () {
      show(head);
    });
  });
})();
