// Similar questions while typing the title. Without JavaScript the preview button shows them.
(function () {
  "use strict";
  var holder = document.querySelector("[data-similar-url]");
  var box = document.getElementById("vergelijkbare-vragen");
  if (!holder || !box || !window.fetch) { return; }
  var input = holder.querySelector("input");
  var list = box.querySelector("ul");
  var timer = null;
  var last = "";

  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var text = input.value.trim();
    if (text === last) { return; }
    last = text;
    if (text.length < 4) { show([]); return; }
    var url = holder.getAttribute("data-similar-url") + "?titel=" + encodeURIComponent(text);
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (items) { if (input.value.trim() === text) { show(items); } })
      .catch(function () { /* suggestions are a help, not a must */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 300);
  });
}());
