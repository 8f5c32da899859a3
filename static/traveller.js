/* Progressive enhancement of the check form; the form works fully without it.
   - model, airline and airport boxes: suggestions as you type (static/combobox.js, one ARIA
     1.2 combobox) from GET /api/v1/models, /api/v1/airlines and /api/v1/airports
   - capacity: the Wh computed from mAh and cell voltage as you type
   - trip: an "Add a flight" button that adds a leg row in place
   Translated texts come from data-t-* attributes of the form. */
(function () {
  "use strict";
  var form = document.querySelector("form.check");
  if (!form) { return; }
  var data = form.dataset;
  var t = {
    suggestions: data.tSuggestions, noSuggestions: data.tNoSuggestions, recalled: data.tRecalled,
    calc: data.tCalc, assumed: data.tAssumed, fiveVolt: data.tFiveVolt, addLeg: data.tAddLeg,
    leg: data.tLeg, usbVolt: data.tUsbVolt, unreadable: data.tUnreadable, whRead: data.tWhRead,
    noAirline: data.tNoAirline, noAirport: data.tNoAirport, chosen: data.tChosen,
    someUnits: data.tSomeUnits, warning: data.tWarning
  };
  var lang = document.documentElement.lang || "en";

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  /* The words of the answer for each recall_status of a suggestion (compliance/core/suggest.py),
     so the list never calls "recalled" what the result calls "some units". */
  var FLAGS = { recalled: t.recalled, check_serial: t.someUnits, warning: t.warning };

  function mergeModels(apiItems) {
    /* One option per model and brand (the API gives one row per product: two notices may name
       one model differently); flagged in the words of the answer when it is on a list. */
    var byKey = {}, merged = [];
    apiItems.forEach(function (item) {
      var key = item.model_key + "|" + (item.brand || "");
      var flag = FLAGS[item.recall_status] || "";
      if (!byKey[key]) {
        byKey[key] = { value: item.model, label: item.model, brand: item.brand,
                       meta: [item.brand, item.product].filter(Boolean).join(" · "), flag: flag };
        merged.push(byKey[key]);
      } else if (!byKey[key].flag) { byKey[key].flag = flag; }
    });
    return merged;
  }

  function setupModel(input) {
    window.Combobox(input, {
      texts: { count: t.suggestions, none: t.noSuggestions },
      url: function (query) { return data.modelsUrl + "?limit=8&q=" + encodeURIComponent(query); },
      items: function (body) { return mergeModels(body.items || []); },
      onChoose: function (item) {
        var brand = form.querySelector("#brand");
        if (brand && !brand.value && item.brand) { brand.value = item.brand; }
      }
    });
  }

  function setupPlace(input) {
    var texts = { count: t.suggestions, chosen: t.chosen,
                  none: input.dataset.combo === "airline" ? t.noAirline : t.noAirport };
    window.Combobox(input, input.dataset.combo === "airline"
      ? window.Combobox.airlines(data.airlinesUrl, texts)
      : window.Combobox.airports(data.airportsUrl, texts));
  }

  /* Numbers as people type them, by the server's own rules (data-number-rules, from
     compliance/core/capacity.py: decimal comma or point, thousands separators, a unit in the box).
     Returns the number, or null when the box is empty or the text cannot be read there. */
  var rules = data.numberRules ? JSON.parse(data.numberRules) : null;
  function readNumber(raw, field) {
    var text = String(raw).normalize("NFKC").trim().replace(new RegExp(rules.spaces, "g"), " ");
    var parts = new RegExp(rules.unit).exec(text), unit, number, sign, groups, seps, last;
    var decimal = null, whole, i;
    if (!parts) { return null; }
    unit = parts[2].toLowerCase();
    if (unit && unit !== rules.units[field]) { return null; }
    number = parts[1].trim();
    if (new RegExp(rules.exponent).test(number)) { return parseFloat(number); }
    if (!new RegExp(rules.number).test(number)) { return null; }
    sign = number.charAt(0) === "-" ? -1 : 1;
    number = number.replace(/^-/, "");
    groups = number.split(/[ .,]/);
    seps = number.match(/[ .,]/g) || [];
    if (!seps.length) { return sign * parseFloat(number); }
    last = seps[seps.length - 1];
    if (seps.length === 1) {
      if (last === " ") { decimal = null; }
      else if (groups[1].length !== 3 || groups[0] === "" || groups[0] === "0" || groups[0].length > 3) { decimal = last; }
      else if (rules.ambiguous[field] === "decimal") { decimal = last; }
      else if (rules.ambiguous[field] === "refuse") { return null; }
    } else if (last !== " " && seps.slice(0, -1).some(function (sep) { return sep !== last; })) {
      decimal = last;
    }
    whole = decimal ? groups.slice(0, -1) : groups;
    if (decimal && seps.slice(0, -1).indexOf(decimal) >= 0) { return null; }
    if (whole.length > 1) {
      var used = seps.slice(0, whole.length - 1);
      if (used.some(function (sep) { return sep !== used[0]; }) || whole[0].length < 1 || whole[0].length > 3) { return null; }
      for (i = 1; i < whole.length; i += 1) { if (whole[i].length !== 3) { return null; } }
    }
    return sign * parseFloat(whole.join("") + (decimal ? "." + groups[groups.length - 1] : ""));
  }
  if (rules) { window.powerbankReadNumber = readNumber; }

  function usbVoltage(volts) {
    return [5, 9, 12, 15, 20].some(function (usb) { return Math.abs(volts - usb) <= 0.15; });
  }

  function setupLiveWh(wh, mah, volts, live) {
    var timer = null;
    function value(field) {
      var number = rules ? readNumber(field.value, field.id) : parseFloat(field.value);
      return isFinite(number) && number > 0 ? number : null;
    }
    /* As the server shows numbers: up to 4 decimals (traveller.number). */
    function show(number) { return number.toLocaleString(lang, { maximumFractionDigits: 4 }); }
    function update() {
      var capacity = value(mah), cell = value(volts), used = cell || 3.7, text, printed = "";
      if (wh && wh.value.trim()) {
        printed = value(wh) ? fmt(t.whRead, { wh: show(value(wh)) }) : t.unreadable;
      }
      if (!capacity) {
        text = mah.value.trim() ? t.unreadable : "";
        live.textContent = [printed, text].filter(Boolean).join(" ");
        live.hidden = !live.textContent;
        return;
      }
      text = (printed ? printed + " " : "") + fmt(t.calc, {
        mah: show(capacity),
        v: show(used),
        wh: show(capacity * used / 1000)
      });
      if (!cell && volts.value.trim()) { text += " " + t.unreadable; }
      else if (!cell) { text += " " + t.assumed; }
      if (cell && usbVoltage(cell)) {
        text += " " + fmt(t.usbVolt, { v: show(cell), wh: show(capacity * 3.7 / 1000) });
      } else if (used >= 4.5) { text += " " + t.fiveVolt; }
      live.textContent = text;
      live.hidden = false;
    }
    [wh, mah, volts].filter(Boolean).forEach(function (field) {
      field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
    });
    update();
  }

  function setupLegs(trip, noScriptAdd) {
    var add = document.createElement("button");
    var max = Number(data.maxLegs) || 8;
    noScriptAdd.hidden = true;
    add.type = "button";
    add.className = "secondary add-leg";
    add.textContent = t.addLeg;
    trip.appendChild(add);
    add.addEventListener("click", function () {
      var legs = trip.querySelectorAll("fieldset.leg");
      var last = legs[legs.length - 1];
      var number = legs.length + 1;
      var row = last.cloneNode(true);
      if (number > max) { return; }
      row.dataset.leg = number;
      row.querySelector("legend").textContent = fmt(t.leg, { n: number });
      row.querySelectorAll(".field-error, .choices, .combo-list, .combo-status").forEach(function (node) { node.remove(); });
      row.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/\d+$/, "") + number;
      });
      row.querySelectorAll("input").forEach(function (field) {
        var base = field.name.replace(/\d+$/, "");
        field.name = field.id = base + number;
        ["aria-invalid", "aria-describedby", "role", "aria-expanded", "aria-controls",
         "aria-autocomplete", "aria-activedescendant"].forEach(function (name) { field.removeAttribute(name); });
        field.value = "";
        if (field.dataset.combo && window.Combobox) { setupPlace(field); }
      });
      trip.insertBefore(row, add);
      row.querySelector("input").focus();
      add.hidden = number >= max;
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }
  var combos = Boolean(window.Combobox && window.fetch);
  var model = form.querySelector("#model");
  if (combos && model && data.modelsUrl) { setupModel(model); }
  if (combos && data.airlinesUrl) {
    form.querySelectorAll("input[data-combo=airline], input[data-combo=airport]").forEach(setupPlace);
  }
  var mah = form.querySelector("#mah"), volts = form.querySelector("#v"), live = form.querySelector("#wh-live");
  if (mah && volts && live) { setupLiveWh(form.querySelector("#wh"), mah, volts, live); }
  var trip = form.querySelector("fieldset.trip"), noScriptAdd = form.querySelector(".add-leg-submit");
  if (trip && noScriptAdd) { setupLegs(trip, noScriptAdd); }
}());
