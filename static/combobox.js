/* One ARIA 1.2 combobox (an input with a listbox popup) for every box that suggests as you
   type: model numbers, airlines, airports. Used by traveller.js and scan.js; the pages work
   without it (the server reads names and offers choices itself).

   window.Combobox(input, source) where source has:
     url(query)        the JSON URL to ask
     items(body)       [{value, label, meta, flag}] from the answer
     fallback(query)   optional: items when the request fails (offline)
     minLength         optional, default 1
     texts             {count: "Suggestions: %(n)s", none: "No ... matches", chosen: optional}
     onChoose(item)    optional, after the value is set
   Keys: Down/Up move, Enter picks, Escape closes. A line under the box says when nothing
   matches (visible, and announced), and names what was picked. */
(function () {
  "use strict";
  var counter = 0;

  function fmt(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  window.Combobox = function (input, source) {
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    var items = [], active = -1, timer = null, cache = {}, texts = source.texts || {};
    /* Bumped by every lookup and by Escape: an answer that arrives late never reopens a list
       the person closed or typed past. */
    var generation = 0;
    var minLength = source.minLength || 1;
    counter += 1;
    list.id = (input.id || "combo" + counter) + "-list";
    list.className = "combo-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label ? label.textContent : input.name);
    list.hidden = true;
    status.id = (input.id || "combo" + counter) + "-status";
    status.className = "combo-status visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function say(text, visible) {
      status.textContent = text || "";
      status.className = "combo-status" + (visible && text ? " combo-note" : " visually-hidden");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(found) {
      items = found;
      active = -1;
      list.textContent = "";
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        var name = document.createElement("strong");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = index;
        name.textContent = item.label;
        option.appendChild(name);
        if (item.meta) {
          var meta = document.createElement("span");
          meta.className = "opt-meta";
          meta.textContent = item.meta;
          option.appendChild(meta);
        }
        if (item.flag) {
          var flag = document.createElement("span");
          flag.className = "opt-recall";
          flag.textContent = "⚠ " + item.flag;
          option.appendChild(flag);
        }
        list.appendChild(option);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        input.removeAttribute("aria-activedescendant");
        say(fmt(texts.count, { n: found.length }), false);
      } else {
        close();
        say(input.value.trim().length > 1 ? texts.none : "", true);
      }
    }

    function lookup() {
      var query = input.value.trim(), mine = ++generation;
      if (query.length < minLength) { close(); say(""); return; }
      if (cache[query]) { show(cache[query]); return; }
      fetch(source.url(query), { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok && response.status !== 400) { throw new Error("HTTP " + response.status); }
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (body) {
          var found = source.items(body);
          cache[query] = found;
          if (mine === generation && input.value.trim() === query && document.activeElement === input) { show(found); }
        }, function () {
          if (mine !== generation) { return; }
          if (source.fallback && input.value.trim() === query) { show(source.fallback(query)); } else { close(); }
        });
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
      var item = items[index];
      if (!item) { return; }
      input.value = item.value;
      input.removeAttribute("aria-invalid");
      close();
      say(texts.chosen ? fmt(texts.chosen, { label: item.label, meta: item.meta || "" }) : item.value,
          Boolean(texts.chosen));
      if (source.onChoose) { source.onChoose(item); }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden && !items.length) { lookup(); } else { move(1); } }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") {
        clearTimeout(timer);
        generation += 1;
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(Number(option.dataset.index)); }
    });
    return { close: close };
  };

  /* Sources shared by the pages: airlines and airports from the JSON API. */
  function placeSource(url, texts, meta) {
    return {
      texts: texts,
      url: function (query) { return url + "?limit=8&q=" + encodeURIComponent(query); },
      items: function (body) {
        return (body.items || []).map(function (a) {
          return { value: a.code, label: a.code + " · " + a.name, meta: meta(a) };
        });
      }
    };
  }

  window.Combobox.airlines = function (url, texts) {
    return placeSource(url, texts, function (a) { return a.country || ""; });
  };

  window.Combobox.airports = function (url, texts) {
    return placeSource(url, texts, function (a) {
      return a.city && a.name.indexOf(a.city) < 0 ? a.city + ", " + a.country : a.country;
    });
  };
}());
