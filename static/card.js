/* The printable result card: its Print button (the card prints without it, from the menu). */
(function () {
  "use strict";
  var button = document.getElementById("print-card");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());
