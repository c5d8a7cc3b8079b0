/* Title suggestions under the header search box (#zoekvak).
   Progressive enhancement: without this script the box is a plain GET form to /zoeken.
   Pattern: WAI-ARIA combobox with a listbox popup (arrow keys, Enter, Escape). */
(function () {
  "use strict";

  var script = document.currentScript;
  var TEXT = {
    nl: { list: "Suggesties", count: " suggesties. Kies met de pijltjestoetsen.", one: "1 suggestie. Kies met de pijltjestoetsen.", none: "Geen suggesties." },
    en: { list: "Suggestions", count: " suggestions. Use the arrow keys to choose.", one: "1 suggestion. Use the arrow keys to choose.", none: "No suggestions." }
  };

  function init() {
    var input = document.getElementById("zoekvak");
    if (!input || !input.getAttribute("data-suggest-url") || !window.fetch) { return; }
    var lang = (document.documentElement.lang || "nl").slice(0, 2);
    var t = TEXT[lang] || TEXT.nl;
    loadStylesheet();
    new Suggest(input, input.getAttribute("data-suggest-url"), t);
  }

  function loadStylesheet() {
    // The list's styles live in search.css (style-src 'self': no inline styles allowed).
    if (!script || !script.src) { return; }
    var href = script.src.replace(/js\/search-suggest\.js.*$/, "css/search.css");
    var present = Array.prototype.some.call(document.querySelectorAll("link[rel=stylesheet]"),
      function (link) { return link.href === href; });
    if (present) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function Suggest(input, url, t) {
    this.input = input;
    this.url = url;
    this.t = t;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.build();
    this.bind();
  }

  Suggest.prototype.build = function () {
    var listId = this.input.id + "-suggesties";
    this.list = document.createElement("ul");
    this.list.id = listId;
    this.list.className = "suggest-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", this.t.list);
    this.list.hidden = true;
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.input.insertAdjacentElement("afterend", this.list);
    this.list.insertAdjacentElement("afterend", this.status);
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", listId);
  };

  Suggest.prototype.bind = function () {
    var self = this;
    this.input.addEventListener("input", function () { self.schedule(); });
    this.input.addEventListener("keydown", function (event) { self.onKey(event); });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    this.list.addEventListener("mousedown", function (event) {
      // Keep focus in the box; the click below follows the link.
      event.preventDefault();
    });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.go(Number(option.getAttribute("data-index"))); }
    });
  };

  Suggest.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.fetch(); }, 150);
  };

  Suggest.prototype.fetch = function () {
    var self = this;
    var value = this.input.value.trim();
    if (value.length < 2) { this.close(); return; }
    if (this.request) { this.request.abort(); }
    this.request = new AbortController();
    var address = this.url + (this.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(value);
    window.fetch(address, { headers: { Accept: "application/json" }, signal: this.request.signal })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { self.show(data.suggestions || []); })
      .catch(function () { /* aborted or offline: the plain form still works */ });
  };

  Suggest.prototype.show = function (items) {
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    for (var i = 0; i < items.length; i++) {
      this.list.appendChild(this.option(items[i], i));
    }
    if (items.length) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.status.textContent = items.length === 1 ? this.t.one : items.length + this.t.count;
    } else {
      this.close();
      this.status.textContent = this.t.none;
    }
  };

  Suggest.prototype.option = function (item, index) {
    var li = document.createElement("li");
    li.id = this.list.id + "-" + index;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.setAttribute("data-index", String(index));
    var kind = document.createElement("span");
    kind.className = "suggest-kind";
    kind.textContent = item.kind;
    li.appendChild(kind);
    li.appendChild(document.createTextNode(item.title));
    return li;
  };

  Suggest.prototype.onKey = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) { this.move(1); } else { this.fetch(); }
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.move(-1);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    } else if (event.key === "Enter" && open && this.active >= 0) {
      event.preventDefault();
      this.go(this.active);
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Suggest.prototype.move = function (step) {
    var count = this.items.length;
    if (!count) { return; }
    // Positions cycle through -1 (the text box itself), 0 .. count-1.
    var slots = count + 1;
    this.active = ((this.active + 1 + step) % slots + slots) % slots - 1;
    var options = this.list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", options[this.active].id);
      options[this.active].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Suggest.prototype.go = function (index) {
    var item = this.items[index];
    if (item && item.url) { window.location.assign(item.url); }
  };

  Suggest.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
