// «Печать» buttons: print the page (the print stylesheet leaves only the form).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
