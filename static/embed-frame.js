/* Runs inside the widget's iframe (templates/embed_base.html).
   - Tells the embedding page how tall the content is, whenever it changes, so that the page's
     embed.js can size the iframe: {type: "powerbank-check:resize", height}. The message goes
     to the parent origin named by the server (data-parent-origin, validated there), or to any
     origin when it is unknown: it carries nothing but a height.
   - On a result, tells the page where the verdict is ({type: "powerbank-check:result", top}),
     once, so that the page scrolls it into view: the verdict, the next step and the QR code
     then fill the visible part of the page.
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

  var verdict = document.querySelector(".verdict");
  if (verdict) {
    var showVerdict = function () {
      postHeight();
      var top = Math.max(0, Math.floor(verdict.getBoundingClientRect().top + window.pageYOffset));
      window.parent.postMessage({ type: "powerbank-check:result", top: top }, targetOrigin);
    };
    if (document.readyState === "complete") showVerdict();
    else window.addEventListener("load", showVerdict);
  }
})();
