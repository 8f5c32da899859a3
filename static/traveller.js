/* Progressive enhancement of the check form; the form works fully without it.
   - model box: autocomplete (ARIA 1.2 combobox with a listbox popup) from GET /api/v1/models
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
    leg: data.tLeg, usbVolt: data.tUsbVolt, unreadable: data.tUnreadable, whRead: data.tWhRead
  };
  var lang = document.documentElement.lang || "en";

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function setupCombobox(input) {
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var label = form.querySelector("label[for=" + input.id + "]");
    var items = [], active = -1, timer = null, cache = {};
    list.id = input.id + "-list";
    list.className = "combo-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label ? label.textContent : input.id);
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function merge(apiItems) {
      /* One option per model and brand; flagged when any record of it is a recall. */
      var byKey = {}, merged = [];
      apiItems.forEach(function (item) {
        var key = item.model_key + "|" + (item.brand || "");
        if (!byKey[key]) {
          byKey[key] = { model: item.model, brand: item.brand, product: item.product, recall: false };
          merged.push(byKey[key]);
        }
        if (item.source === "recall") { byKey[key].recall = true; }
      });
      return merged;
    }

    function show(found) {
      items = found;
      active = -1;
      list.textContent = "";
      found.forEach(function (model, index) {
        var option = document.createElement("li");
        var name = document.createElement("strong");
        var meta = document.createElement("span");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = index;
        name.textContent = model.model;
        meta.className = "opt-meta";
        meta.textContent = [model.brand, model.product].filter(Boolean).join(" · ");
        option.appendChild(name);
        option.appendChild(meta);
        if (model.recall) {
          var flag = document.createElement("span");
          flag.className = "opt-recall";
          flag.textContent = "⚠ " + t.recalled;
          option.appendChild(flag);
        }
        list.appendChild(option);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        input.removeAttribute("aria-activedescendant");
        status.textContent = fmt(t.suggestions, { n: found.length });
      } else {
        close();
        status.textContent = input.value.trim().length > 1 ? t.noSuggestions : "";
      }
    }

    function lookup() {
      var query = input.value.trim();
      if (!query) { close(); status.textContent = ""; return; }
      if (cache[query]) { show(cache[query]); return; }
      fetch(data.modelsUrl + "?limit=8&q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) {
          var found = merge(body.items || []);
          cache[query] = found;
          if (input.value.trim() === query && document.activeElement === input) { show(found); }
        })
        .catch(close);
    }

    function move(step) {
      if (!items.length) { return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = (active + step + items.length) % items.length;
      Array.prototype.forEach.call(list.children, function (option, index) {
        option.setAttribute("aria-selected", String(index === active));
      });
      input.setAttribute("aria-activedescendant", list.children[active].id);
      list.children[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var model = items[index];
      var brand = form.querySelector("#brand");
      if (!model) { return; }
      input.value = model.model;
      if (brand && !brand.value && model.brand) { brand.value = model.brand; }
      close();
      status.textContent = model.model;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape" && !list.hidden) { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(Number(option.dataset.index)); }
    });
  }

  /* Numbers as people type them, by the server's own rules (data-number-rules, from
     compliance/capacity.py: decimal comma or point, thousands separators, a unit in the box).
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
      row.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
      row.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/\d+$/, "") + number;
      });
      row.querySelectorAll("input").forEach(function (field) {
        var base = field.name.replace(/\d+$/, "");
        field.name = field.id = base + number;
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        field.value = "";
      });
      trip.insertBefore(row, add);
      row.querySelector("input").focus();
      add.hidden = number >= max;
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }
  var model = form.querySelector("#model");
  if (model && data.modelsUrl && window.fetch) { setupCombobox(model); }
  var mah = form.querySelector("#mah"), volts = form.querySelector("#v"), live = form.querySelector("#wh-live");
  if (mah && volts && live) { setupLiveWh(form.querySelector("#wh"), mah, volts, live); }
  var trip = form.querySelector("fieldset.trip"), noScriptAdd = form.querySelector(".add-leg-submit");
  if (trip && noScriptAdd) { setupLegs(trip, noScriptAdd); }
}());
