/* The gate staff screen (/scan): camera scanning of result QR codes, the one-step manual
 * lookup, and the offline recall list. The page works without this file (the forms submit
 * to /v and /check); this adds the camera, inline verdicts and offline use.
 *
 * No verdict is decided here: online answers come from /api/v1/check (the engine); offline
 * the page only says whether a model is on the saved recall list, and says that is all it is.
 */
(function () {
  "use strict";

  var app = document.getElementById("scan-app");
  if (!app) { return; }
  var config = app.dataset;

  /* Translated sentences come from the page (data-t-*), with {name} placeholders. */
  function t(name, values) {
    var text = config["t" + name.split("-").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("")] || name;
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return values && key in values ? String(values[key]) : match;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var VERDICT_SYMBOL = {allowed: "✓", forbidden: "✕"};

  function verdictBlock(verdict, word, headline) {
    var block = el("section", "verdict verdict-big verdict-" + verdict);
    var title = el("p", "verdict-word");
    var symbol = el("span", "", VERDICT_SYMBOL[verdict] || "!");
    symbol.setAttribute("aria-hidden", "true");
    title.appendChild(symbol);
    title.appendChild(document.createTextNode(" " + word));
    block.appendChild(title);
    if (headline) { block.appendChild(el("p", "headline", headline)); }
    return block;
  }

  /* --- Model numbers, compared as compliance/normalize.py compares them ------------------- */

  /* Mirror of normalize_model(): NFKC, upper case, letters and digits only, then a leading
   * brand name dropped when something is left after it. The suite checks both agree. */
  function fold(text) {
    return (text || "").normalize("NFKC").toUpperCase().replace(/[^0-9A-Z]/g, "");
  }

  function modelKey(text, brands) {
    var folded = fold(text);
    var sorted = (brands || []).slice().sort(function (a, b) { return b.length - a.length; });
    for (var i = 0; i < sorted.length; i++) {
      var brand = sorted[i];
      if (brand && folded.indexOf(brand) === 0 && folded.length > brand.length) {
        return folded.slice(brand.length);
      }
    }
    return folded;
  }

  /* --- The saved recall list -------------------------------------------------------------- */

  var recallList = null;
  var offlineStatus = document.getElementById("offline-status");

  function ageText(iso) {
    var minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
    if (minutes < 2) { return t("age-now"); }
    if (minutes < 120) { return t("age-minutes", {n: minutes}); }
    if (minutes < 48 * 60) { return t("age-hours", {n: Math.round(minutes / 60)}); }
    return t("age-days", {n: Math.round(minutes / 1440)});
  }

  function savedText(iso) {
    return iso.replace("T", " ").replace(/:\d\d(\+00:00|Z)$/, " UTC");
  }

  function showListAge() {
    if (!recallList || !offlineStatus) { return; }
    var values = {version: recallList.data_version, saved: savedText(recallList.generated_at),
                  age: ageText(recallList.generated_at)};
    offlineStatus.textContent = t(navigator.onLine ? "list-age" : "list-offline", values);
    offlineStatus.classList.toggle("is-offline", !navigator.onLine);
  }

  function loadRecallList() {
    return fetch(config.recallsUrl, {headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) { recallList = body; showListAge(); })
      .catch(function () { showListAge(); });
  }

  function offlineLookup(model) {
    var box = document.getElementById("lookup-result");
    box.textContent = "";
    if (!recallList) { box.appendChild(el("p", "alert", t("offline-no-list"))); return; }
    if (!model) { box.appendChild(el("p", "alert", t("offline-no-model"))); return; }
    var key = modelKey(model, recallList.brands);
    var indexes = recallList.by_model_key[key] || [];
    var matches = indexes.map(function (i) { return recallList.recalls[i]; })
      .sort(function (a, b) { return (a.status !== "recalled") - (b.status !== "recalled"); });
    var recalled = matches.filter(function (m) { return m.status === "recalled"; });
    var verdict, word;
    if (recalled.length) {
      verdict = "forbidden"; word = t("offline-recalled");
    } else if (matches.length) {
      verdict = "check_serial"; word = t("offline-check-serial");
    } else {
      verdict = "offline"; word = t("offline-not-listed");
    }
    box.appendChild(verdictBlock(verdict, word, model));
    box.appendChild(el("p", "status", t("offline-note", {
      version: recallList.data_version, saved: savedText(recallList.generated_at)})));
    if (matches.length) {
      var list = el("ul", "offline-matches");
      matches.forEach(function (m) {
        var item = el("li", "", m.agency + (m.date ? " " + m.date : "") + ": " +
                      t(m.status === "recalled" ? "offline-all-units" : "offline-some-units"));
        if (m.scope_detail) {
          var details = el("details");
          details.appendChild(el("summary", "", t("which-units")));
          details.appendChild(el("p", "", m.scope_detail));
          item.appendChild(details);
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.focus();
  }

  /* --- Manual lookup: one step to a verdict -------------------------------------------- */

  var form = document.getElementById("lookup");
  var suggestions = document.getElementById("model-suggestions");
  var modelInput = document.getElementById("lookup-model");
  var lookupError = document.getElementById("lookup-error");
  var suggestTimer = null;
  var lastQuery = "";

  function fillSuggestions(items) {
    suggestions.textContent = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.model;
      option.label = [item.brand, item.product, item.recalled ? t("recalled-suggestion") : ""]
        .filter(Boolean).join(" · ");
      suggestions.appendChild(option);
    });
  }

  function offlineSuggestions(query) {
    if (!recallList) { return []; }
    var key = modelKey(query, recallList.brands);
    var seen = {};
    var items = [];
    recallList.recalls.forEach(function (recall) {
      recall.models.forEach(function (model) {
        if (items.length < 8 && !seen[model] && modelKey(model, recallList.brands).indexOf(key) === 0) {
          seen[model] = true;
          items.push({model: model, brand: recall.brand, product: recall.product, recalled: true});
        }
      });
    });
    return items;
  }

  function suggest() {
    var query = modelInput.value.trim();
    if (query.length < 2 || query === lastQuery) { return; }
    lastQuery = query;
    var url = config.modelsUrl + "?limit=8&q=" + encodeURIComponent(query);
    fetch(url, {headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (modelInput.value.trim() !== query) { return; }
        var recalledKeys = recallList ? recallList.by_model_key : {};
        fillSuggestions(body.items.map(function (item) {
          return {model: item.model, brand: item.brand, product: item.product,
                  recalled: item.source === "recall" || item.model_key in recalledKeys};
        }));
      })
      .catch(function () { fillSuggestions(offlineSuggestions(query)); });
  }

  function showResult(body) {
    var box = document.getElementById("lookup-result");
    box.textContent = "";
    /* "Some units recalled" has its own word and colour, as on the result pages. */
    var state = body.verdict === "need_more_info" && body.recall &&
      body.recall.status === "check_serial" ? "check_serial" : body.verdict;
    box.appendChild(verdictBlock(state, t(state), body.headline));
    if (body.conditions && body.conditions.length) {
      box.appendChild(el("h3", "", t("conditions")));
      var list = el("ul", "conditions");
      body.conditions.forEach(function (c) { list.appendChild(el("li", "", c.text)); });
      box.appendChild(list);
    }
    var path = new URL(body.result_url).pathname;
    var link = el("a", "action", t("open-result"));
    link.href = path;
    box.appendChild(el("p", "actions")).appendChild(link);
    box.focus();
  }

  function showProblem(problem) {
    var field = document.getElementById("lookup-" + problem.param);
    lookupError.textContent = problem.detail || problem.title;
    lookupError.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "lookup-error");
      field.focus();
    }
  }

  function clearProblem() {
    lookupError.hidden = true;
    lookupError.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
  }

  if (form) {
    modelInput.addEventListener("input", function () {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(suggest, 200);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearProblem();
      var params = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value.trim()) { params.append(field.name, field.value.trim()); }
      });
      var box = document.getElementById("lookup-result");
      box.textContent = "";
      box.appendChild(el("p", "status", t("checking")));
      fetch(config.checkUrl + "?" + params.toString(), {headers: {Accept: "application/json"}})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (answer) {
          if (answer.ok) { showResult(answer.body); } else { box.textContent = ""; showProblem(answer.body); }
        })
        .catch(function () { offlineLookup(params.get("model")); });
    });
  }

  /* --- Camera scanning ----------------------------------------------------------------- */

  var video = document.getElementById("camera");
  var viewfinder = document.getElementById("viewfinder");
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var status = document.getElementById("scan-status");
  var warning = document.getElementById("scan-warning");
  var stream = null;
  var timer = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", {willReadFrequently: true});
  var resultHosts = (config.resultHosts || "").toLowerCase().split(/\s+/).filter(Boolean);

  function stopCamera() {
    clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    viewfinder.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function warn(text) {
    status.textContent = "";
    warning.textContent = text;
    warning.hidden = false;
  }

  /* A scanned code opens the staff view only if it is a result URL of this site. */
  function handleScanned(text) {
    stopCamera();
    var url;
    try {
      url = new URL(text);
    } catch (error) {
      warn(t("not-url"));
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") { warn(t("not-url")); return; }
    if (resultHosts.indexOf(url.host.toLowerCase()) < 0) {
      warn(t("look-alike", {host: url.host, expected: location.host}));
      return;
    }
    var match = /^\/r\/([0-9A-Z]+)\/?$/i.exec(url.pathname);
    if (!match) { warn(t("not-result")); return; }
    status.textContent = t("opening");
    location.assign(config.resultPath.replace("TOKEN", match[1].toUpperCase()));
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* BarcodeDetector where the browser has one for QR codes; else jsQR served by this site. */
  function makeDecoder() {
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) { return jsqrDecoder(); }
        var detector = new window.BarcodeDetector({formats: ["qr_code"]});
        return {native: true, decode: function (source) {
          return detector.detect(source).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        }};
      }, jsqrDecoder);
    }
    return jsqrDecoder();
  }

  function jsqrDecoder() {
    var ready = window.jsQR ? Promise.resolve() : loadScript(config.jsqrUrl);
    return ready.then(function () {
      return {native: false, decode: function (source) {
        var code = window.jsQR(source.data, source.width, source.height,
                               {inversionAttempts: "attemptBoth"});
        return Promise.resolve(code ? code.data : null);
      }};
    });
  }

  function frame() {
    var width = video.videoWidth;
    var height = video.videoHeight;
    var scale = Math.min(1, 720 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    return context.getImageData(0, 0, canvas.width, canvas.height);
  }

  function scanLoop(decoder) {
    if (!stream) { return; }
    var attempt = Promise.resolve(null);
    if (video.readyState >= 2 && video.videoWidth) {
      attempt = decoder.decode(decoder.native ? video : frame());
    }
    attempt.then(function (text) {
      if (text) { handleScanned(text); } else { timer = setTimeout(function () { scanLoop(decoder); }, 150); }
    }, function () { timer = setTimeout(function () { scanLoop(decoder); }, 300); });
  }

  function startCamera() {
    warning.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = t("no-camera", {reason: "getUserMedia"});
      return;
    }
    status.textContent = t("starting");
    var constraints = {audio: false, video: {facingMode: "environment"}};
    navigator.mediaDevices.getUserMedia(constraints).then(function (media) {
      stream = media;
      video.srcObject = media;
      viewfinder.hidden = false;
      stopButton.hidden = false;
      startButton.hidden = true;
      return video.play().then(makeDecoder).then(function (decoder) {
        status.textContent = t(decoder.native ? "scanning" : "scanning-fallback");
        scanLoop(decoder);
      }, function () {
        stopCamera();
        status.textContent = t("no-decoder");
      });
    }, function (error) {
      /* The reason in words, never the browser's error name (NotFoundError ...). */
      var reasons = {NotFoundError: "camera-none", OverconstrainedError: "camera-none",
        NotAllowedError: "camera-refused", SecurityError: "camera-refused",
        NotReadableError: "camera-busy", AbortError: "camera-busy"};
      status.textContent = t("no-camera", {reason: t(reasons[error && error.name] ||
        "camera-failed")});
      var code = document.getElementById("code");
      if (code) { code.focus(); }
    });
  }

  if (startButton) {
    status.textContent = "";
    startButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", stopCamera);
    window.addEventListener("pagehide", stopCamera);
  }

  /* --- Offline: the service worker keeps this page and the recall list ------------------- */

  window.addEventListener("online", showListAge);
  window.addEventListener("offline", showListAge);
  loadRecallList();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.swUrl, {scope: config.swScope}).catch(function () {
      /* Without a service worker the page still works online. */
    });
  }
}());
