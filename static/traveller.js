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
    leg: data.tLeg, noAirline: data.tNoAirline, noAirport: data.tNoAirport, chosen: data.tChosen
  };
  var lang = document.documentElement.lang || "en";

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function mergeModels(apiItems) {
    /* One option per model and brand; flagged when any record of it is a recall. */
    var byKey = {}, merged = [];
    apiItems.forEach(function (item) {
      var key = item.model_key + "|" + (item.brand || "");
      if (!byKey[key]) {
        byKey[key] = { value: item.model, label: item.model, brand: item.brand,
                       meta: [item.brand, item.product].filter(Boolean).join(" · "), flag: "" };
        merged.push(byKey[key]);
      }
      if (item.source === "recall") { byKey[key].flag = t.recalled; }
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

  function setupLiveWh(mah, volts, live) {
    var timer = null;
    function value(field) {
      var number = parseFloat(field.value.replace(/[,\s]/g, ""));
      return isFinite(number) && number > 0 ? number : null;
    }
    function update() {
      var capacity = value(mah), cell = value(volts), used = cell || 3.7, text;
      if (!capacity) { live.hidden = true; live.textContent = ""; return; }
      text = fmt(t.calc, {
        mah: capacity.toLocaleString(lang),
        v: used.toLocaleString(lang),
        wh: (Math.round(capacity * used / 10) / 100).toLocaleString(lang)
      });
      if (!cell) { text += " " + t.assumed; }
      if (used >= 4.5) { text += " " + t.fiveVolt; }
      live.textContent = text;
      live.hidden = false;
    }
    [mah, volts].forEach(function (field) {
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

  var combos = Boolean(window.Combobox && window.fetch);
  var model = form.querySelector("#model");
  if (combos && model && data.modelsUrl) { setupModel(model); }
  if (combos && data.airlinesUrl) {
    form.querySelectorAll("input[data-combo=airline], input[data-combo=airport]").forEach(setupPlace);
  }
  var mah = form.querySelector("#mah"), volts = form.querySelector("#v"), live = form.querySelector("#wh-live");
  if (mah && volts && live) { setupLiveWh(mah, volts, live); }
  var trip = form.querySelector("fieldset.trip"), noScriptAdd = form.querySelector(".add-leg-submit");
  if (trip && noScriptAdd) { setupLegs(trip, noScriptAdd); }
}());
