/* Runs inside the widget's iframe (templates/embed_base.html).
   - Tells the embedding page how tall the content is, whenever it changes, so that the page's
     embed.js can size the iframe: {type: "powerbank-check:resize", height}. The message goes
     to the parent origin named by the server (data-parent-origin, validated there), or to any
     origin when it is unknown: it carries nothing but a height.
   - Opens links that lead out of the widget in a new tab instead of inside the frame. */
(function () {
  "use strict";
  var body = document.body;
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (link) {
    var href = link.getAttribute("href");
    if (link.hasAttribute("data-embed-stay") || href.charAt(0) === "#") return;
    link.target = "_blank";
    link.rel = "noopener";
  });
  if (window.parent === window) return;
  var targetOrigin = body.getAttribute("data-parent-origin") || "*";
  var lastHeight = 0;

  function postHeight() {
    var height = Math.ceil(body.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    window.parent.postMessage({ type: "powerbank-check:resize", height: height }, targetOrigin);
  }

  if ("ResizeObserver" in window) {
    new ResizeObserver(postHeight).observe(body);
  }
  window.addEventListener("load", postHeight);
  window.addEventListener("resize", postHeight);
  postHeight();
})();
