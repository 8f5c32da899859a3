/* Identification without a connection, for the gate screen's saved recall list (/scan).
 *
 * The browser's copy of compliance/core/identify.py and compliance/core/normalize.py, applied to the
 * tables that /scan/recalls.json carries (built by compliance.identify.offline_tables from the
 * same data): a model number whole or inside the text, look-alike letters folded, then a
 * recalled product by name (a possible match). tests/test_browser_offline_identify.py types
 * the same descriptions into this and into the server and checks that both agree.
 */
(function () {
  "use strict";

  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
  var CJK_WORD = new RegExp("^[" + CJK + "]");
  var WORDS = new RegExp("[0-9a-z]+|[" + CJK + "]+", "g");
  var GROUPED = /(?<![\d.,])\d{1,3}(?:[,. ]\d{3})+(?!\d)/g;
  var NUMBER_UNIT = /^(\d+)(mah|wh|w|v|ah)$/;
  var TOKEN_SPLIT = /[\s()\[\]{}<>,;:\/|+&"'“”‘’]+/;
  var QUANTITY = /^\d+(?:[.,]\d+)?(?:K|MAH|WH|W|V|A)$/;

  function unconfuser(pairs) {
    var map = {};
    var from = Array.from(pairs.from), to = Array.from(pairs.to);
    from.forEach(function (char, i) { map[char] = to[i]; });
    return function (text) {
      return Array.from((text || "").normalize("NFKC")).map(function (c) {
        return map[c] || c;
      }).join("");
    };
  }

  function Identifier(list) {
    this.list = list;
    this.tables = list.identify;
    this.unconfuse = unconfuser(list.lookalikes);
    this.generic = new Set(this.tables.generic);
    this.brandSet = new Set(list.brands || []);
    this.allBrands = new Set(Object.values(this.tables.brand_words));
    var byWord = {}, byBrand = {};
    Object.keys(this.tables.names).forEach(function (index) {
      var entry = this.tables.names[index];
      entry.index = Number(index);
      entry.words = new Set([].concat.apply([], entry.variants));
      entry.words.forEach(function (w) { (byWord[w] = byWord[w] || []).push(entry); });
      entry.brands.forEach(function (b) {
        (byWord[b] = byWord[b] || []).push(entry);
        (byBrand[b] = byBrand[b] || []).push(entry);
      });
    }, this);
    this.byWord = byWord;
    this.byBrand = byBrand;
  }

  Identifier.prototype.fold = function (text) {
    return this.unconfuse(text).toUpperCase().replace(/[^0-9A-Z]/g, "");
  };

  /* A leading brand is stripped only as whole words with something left after them. */
  Identifier.prototype.modelKey = function (text) {
    var folded = this.fold(text);
    var words = this.unconfuse(text).toUpperCase().split(/[^0-9A-Z]+/).filter(Boolean);
    var prefix = "", strip = 0;
    for (var i = 0; i < words.length - 1; i++) {
      prefix += words[i];
      if (this.brandSet.has(prefix)) { strip = prefix.length; }
    }
    return folded.slice(strip);
  };

  function codeShaped(key) {
    return key.length >= 4 && /[A-Z]/.test(key) && /\d/.test(key);
  }

  /* The first recalled model number in the text: whole, else one to three adjacent words. */
  Identifier.prototype.modelNumber = function (text) {
    var keys = [this.modelKey(text)];
    var tokens = this.unconfuse(text).split(TOKEN_SPLIT).filter(Boolean);
    if (tokens.length > 1) {
      for (var size = Math.min(3, tokens.length); size > 0; size--) {
        for (var start = 0; start + size <= tokens.length; start++) {
          var key = this.fold(tokens.slice(start, start + size).join(""));
          if (codeShaped(key) && !(size === 1 && QUANTITY.test(key))) { keys.push(key); }
        }
      }
    }
    var byKey = this.list.by_model_key;
    return keys.find(function (key) { return key && key in byKey; }) || null;
  };

  Identifier.prototype.unknownCode = function (text) {
    var self = this;
    return this.unconfuse(text).split(TOKEN_SPLIT).some(function (token) {
      var quantity = token.toUpperCase().replace(/[^0-9A-Z.,]/g, "");
      return codeShaped(self.fold(token)) && !QUANTITY.test(quantity);
    });
  };

  Identifier.prototype.nameWords = function (text) {
    var plain = this.unconfuse(text).toLowerCase().replace(GROUPED, function (m) {
      return m.replace(/[,. ]/g, "");
    });
    var words = [];
    (plain.match(WORDS) || []).forEach(function (word) {
      var split = NUMBER_UNIT.exec(word);
      if (split) { words.push(split[1], split[2]); } else { words.push(word); }
    });
    return words;
  };

  Identifier.prototype.significantWords = function (text) {
    var words = new Set();
    var tables = this.tables, generic = this.generic;
    this.nameWords(text).forEach(function (word) {
      if (CJK_WORD.test(word)) {
        var run = word;
        tables.cjk_terms.forEach(function (term) {
          if (run.indexOf(term[0]) !== -1) {
            if (term[1]) { words.add(term[1]); }
            run = run.split(term[0]).join(" ");
          }
        });
        run.split(/\s+/).filter(Boolean).forEach(function (part) { words.add(part); });
        return;
      }
      word = tables.brand_words[word] || word;
      if (!generic.has(word)) {
        words.add(/^\d+k$/.test(word) ? word.slice(0, -1) + "000" : word);
      }
    });
    return words;
  };

  function distinctive(words) {
    return Array.from(words).some(function (w) {
      return !/^\d+$/.test(w) && (w.length >= 4 || (w.length >= 3 && CJK_WORD.test(w)));
    });
  }

  function subset(variant, words) {
    return variant.every(function (w) { return words.has(w); });
  }

  /* Recalls the description names: the same strong / loose / brand-only rule as the server. */
  Identifier.prototype.candidates = function (words, strongOnly) {
    var strong = [], loose = [], seen = {};
    var byWord = this.byWord, allBrands = this.allBrands;
    var namesABrand = Array.from(words).some(function (w) { return allBrands.has(w); });
    words.forEach(function (word) {
      (byWord[word] || []).forEach(function (entry) {
        if (seen[entry.index]) { return; }
        seen[entry.index] = true;
        var brandHit = entry.brands.some(function (b) { return words.has(b); });
        var covered = entry.variants.some(function (v) {
          return subset(v, words) && (brandHit || distinctive(v));
        });
        if (covered) {
          strong.push(entry.index);
        } else if (!strongOnly) {
          var shared = Array.from(entry.words).filter(function (w) { return words.has(w); });
          var anotherBrand = !brandHit && namesABrand;
          if (shared.length && (brandHit || (distinctive(shared) && !anotherBrand))) {
            loose.push(entry.index);
          }
        }
      });
    });
    if (strong.length) { return strong; }
    if (loose.length || strongOnly) { return loose; }
    /* A brand with recalls and nothing we know besides (the brand alone, or a name neither
       a recall nor, on the server, the catalogue knows): every recall of the brand. */
    var brands = Array.from(words).filter(function (w) { return w in this.byBrand; }, this);
    if (brands.length) {
      var found = {};
      brands.forEach(function (b) {
        this.byBrand[b].forEach(function (entry) { found[entry.index] = true; });
      }, this);
      return Object.keys(found).map(Number);
    }
    return [];
  };

  /* {status, recalls: [indexes into list.recalls]}: status as the server's recall.status for
   * the recalled models the saved list holds (recalled, warning, check_serial,
   * possible_match), or not_listed / not_checked. */
  Identifier.prototype.identify = function (model, brand) {
    model = (model || "").trim();
    brand = (brand || "").trim();
    if (!model && !brand) { return {status: "not_checked", recalls: []}; }
    var key = model ? this.modelNumber(model) : null;
    if (key) {
      var indexes = this.list.by_model_key[key];
      var statuses = indexes.map(function (i) { return this.list.recalls[i].status; }, this);
      var status = ["recalled", "warning", "check_serial"].find(function (s) {
        return statuses.indexOf(s) !== -1;
      });
      return {status: status, recalls: indexes};
    }
    var words = this.significantWords([brand, model].filter(Boolean).join(" "));
    var found = this.candidates(words, Boolean(model) && this.unknownCode(model));
    return found.length ? {status: "possible_match", recalls: found}
                        : {status: "not_listed", recalls: []};
  };

  window.PowerBankIdentify = Identifier;
}());
