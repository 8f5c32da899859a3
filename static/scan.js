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

  var identifier = null;

  /* The saved list's own identification (static/identify.js): model numbers whole or in
   * text, look-alike letters, and recalled products by name, as the server does. */
  function savedListIdentifier() {
    if (!identifier || identifier.list !== recallList) {
      identifier = new window.PowerBankIdentify(recallList);
    }
    return identifier;
  }

  var OFFLINE_WORDS = {recalled: "offline-recalled", warning: "offline-warning",
                       check_serial: "offline-check-serial",
                       possible_match: "offline-possible-match",
                       not_listed: "offline-not-listed"};
  var OFFLINE_VERDICTS = {recalled: "forbidden", warning: "forbidden",
                          check_serial: "check_serial", possible_match: "need_more_info",
                          not_listed: "offline"};
  var MATCH_WORDS = {recalled: "offline-all-units", warning: "offline-warning-units",
                     check_serial: "offline-some-units"};

  function offlineLookup(model) {
    var box = document.getElementById("lookup-result");
    box.textContent = "";
    if (!recallList) { box.appendChild(el("p", "alert", t("offline-no-list"))); return; }
    if (!model) { box.appendChild(el("p", "alert", t("offline-no-model"))); return; }
    var found = savedListIdentifier().identify(model, "");
    var order = ["recalled", "warning", "check_serial"];
    var matches = found.recalls.map(function (i) { return recallList.recalls[i]; })
      .sort(function (a, b) { return order.indexOf(a.status) - order.indexOf(b.status); });
    box.appendChild(verdictBlock(OFFLINE_VERDICTS[found.status], t(OFFLINE_WORDS[found.status]),
                                 model));
    box.dataset.status = found.status;
    box.appendChild(el("p", "status", t("offline-note", {
      version: recallList.data_version, saved: savedText(recallList.generated_at)})));
    if (matches.length) {
      var list = el("ul", "offline-matches");
      matches.forEach(function (m) {
        var what = found.status === "possible_match"
          ? m.brand + " " + m.models.join(", ") + ": " + t("offline-possible-units")
          : t(MATCH_WORDS[m.status]);
        var item = el("li", "", m.agency + (m.date ? " " + m.date : "") + ": " + what);
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
  var modelInput = document.getElementById("lookup-model");
  var lookupError = document.getElementById("lookup-error");

  /* The words of the answer for a suggestion's recall status (compliance/core/suggest.py). */
  var SUGGESTION_FLAGS = {recalled: "recalled", check_serial: "some-units", warning: "warning"};

  function suggestionFlag(status) {
    return SUGGESTION_FLAGS[status] ? t(SUGGESTION_FLAGS[status]) : "";
  }

  function offlineSuggestions(query) {
    /* From the saved recall list: model numbers that start like the query, then the recalled
       products its words name (as the server's suggestions do), one row per model. */
    if (!recallList) { return []; }
    var identify = savedListIdentifier();
    var key = identify.modelKey(query);
    var seen = {};
    var items = [];
    function add(recall, model) {
      if (items.length < 8 && !seen[model]) {
        seen[model] = true;
        items.push({value: model, label: model, flag: suggestionFlag(recall.status),
                    meta: [recall.brand, recall.product].filter(Boolean).join(" · ")});
      }
    }
    recallList.recalls.forEach(function (recall) {
      recall.models.forEach(function (model) {
        if (key && identify.modelKey(model).indexOf(key) === 0) { add(recall, model); }
      });
    });
    identify.identify(query, "").recalls.forEach(function (index) {
      var recall = recallList.recalls[index];
      if (recall.models.length) { add(recall, recall.models[0]); }
    });
    return items;
  }

  function setupComboboxes() {
    if (!window.Combobox || !window.fetch || !form) { return; }
    var texts = {count: t("suggestions"), chosen: t("chosen")};
    window.Combobox(modelInput, {
      minLength: 2,
      texts: {count: texts.count, none: t("no-suggestions")},
      url: function (query) { return config.modelsUrl + "?limit=8&q=" + encodeURIComponent(query); },
      items: function (body) {
        return (body.items || []).map(function (item) {
          return {value: item.model, label: item.model, flag: suggestionFlag(item.recall_status),
                  meta: [item.brand, item.product].filter(Boolean).join(" · ")};
        });
      },
      fallback: offlineSuggestions
    });
    form.querySelectorAll("input[data-combo=airline]").forEach(function (input) {
      window.Combobox(input, window.Combobox.airlines(config.airlinesUrl,
        {count: texts.count, chosen: texts.chosen, none: t("no-airline")}));
    });
    form.querySelectorAll("input[data-combo=airport]").forEach(function (input) {
      window.Combobox(input, window.Combobox.airports(config.airportsUrl,
        {count: texts.count, chosen: texts.chosen, none: t("no-airport")}));
    });
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
    /* An airline or airport that fits several (or none): its candidates, one tap each. */
    (problem.candidates || []).forEach(function (candidate) {
      var choice = el("button", "secondary choice", candidate.code + " · " + candidate.name);
      choice.type = "button";
      choice.addEventListener("click", function () {
        if (field) { field.value = candidate.code; }
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      });
      lookupError.appendChild(choice);
    });
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
    setupComboboxes();
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
