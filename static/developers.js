/* /developers: a "Copy the snippet" button (shown only where the script runs). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;

    function say(text) { if (status) status.textContent = text; }

    function selectSource() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }

    button.addEventListener("click", function () {
      var text = source.textContent;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () {
          say(button.getAttribute("data-t-copied"));
        }, function () {
          selectSource();
          say(button.getAttribute("data-t-failed"));
        });
      } else {
        selectSource();
        say(button.getAttribute("data-t-failed"));
      }
    });
  });
})();
