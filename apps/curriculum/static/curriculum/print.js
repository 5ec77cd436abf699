// «Печать» buttons: print the page (the print stylesheet leaves only the report).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
