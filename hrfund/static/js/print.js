// Print buttons: a button with id "print-report" opens the browser's print dialog
// (a static file, because the content security policy forbids inline scripts).
(function () {
  "use strict";
  var button = document.getElementById("print-report");
  if (!button) { return; }
  button.addEventListener("click", function () { window.print(); });
})();
