/* Power bank flight check widget. Paste where the widget should appear:
     <script src="https://HOST/embed.js" data-airline="EK"></script>
   Options: data-airline (IATA code), data-lang (en, zh, ko, ja), data-theme (light|dark),
   data-accent (#RRGGBB), data-hide-airline (hides the airline field), data-title.
   It inserts an iframe right after this script tag and keeps it as tall as its content: the
   frame posts {type: "powerbank-check:resize", height}; a message is only believed when it
   comes from the widget's origin and from this very iframe, and the height is clamped (an
   upper bound only against abuse, far above the longest real result).
   After a check the frame posts {type: "powerbank-check:result", top}: the page scrolls so that
   the verdict (top px from the frame's top) is at the top of the window. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var MIN_HEIGHT = 200;
  var MAX_HEIGHT = 40000;
  var widgetOrigin = new URL(script.src, window.location.href).origin;
  var OPTIONS = { airline: "airline", lang: "lang", theme: "theme", accent: "accent" };

  var params = new URLSearchParams();
  Object.keys(OPTIONS).forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) params.set(OPTIONS[name], value);
  });
  var hide = script.getAttribute("data-hide-airline");
  if (hide !== null && hide !== "false" && hide !== "0") params.set("hide_airline", "1");
  if (window.location.origin && window.location.origin !== "null") {
    params.set("parent_origin", window.location.origin);
  }

  var frame = document.createElement("iframe");
  frame.src = widgetOrigin + "/embed?" + params.toString();
  frame.title = script.getAttribute("data-title") || "Power bank flight check";
  frame.className = "powerbank-check-frame";
  frame.setAttribute("height", "640");
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.display = "block";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== widgetOrigin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data) return;
    if (data.type === "powerbank-check:resize") {
      var height = Number(data.height);
      if (!isFinite(height)) return;
      height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
      frame.style.height = height + "px";
    } else if (data.type === "powerbank-check:result") {
      var top = Number(data.top);
      if (!isFinite(top) || top < 0 || top > MAX_HEIGHT) return;
      var frameTop = frame.getBoundingClientRect().top + window.pageYOffset;
      window.scrollTo(0, Math.max(0, Math.round(frameTop + top)));
    }
  });
})();
