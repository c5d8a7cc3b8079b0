// While the text of a new upload is being read, check the page now and then and show the result
// as soon as it is ready. Without JavaScript the "Pagina vernieuwen" link does the same.
(function () {
  "use strict";
  var INTERVAL_MS = 3000;
  var GIVE_UP_AFTER = 100;  // about five minutes
  if (!document.querySelector(".doc-status-wait") || !window.fetch || !window.DOMParser) {
    return;
  }
  var tries = 0;
  function check() {
    tries += 1;
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!fresh.querySelector(".doc-status-wait")) {
          window.location.reload();
        } else if (tries < GIVE_UP_AFTER) {
          window.setTimeout(check, INTERVAL_MS);
        }
      })
      .catch(function () { /* offline for a moment: the link still works */ });
  }
  window.setTimeout(check, INTERVAL_MS);
})();
