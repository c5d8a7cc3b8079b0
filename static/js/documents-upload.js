// Progress bar for large uploads. Without JavaScript the form posts normally; with it we send the
// same form data with XMLHttpRequest (fetch has no upload progress) and follow the server's answer.
(function () {
  "use strict";

  function showRefusal(html) {
    // A refused upload: put the server's page (with its Dutch error) in place of ours.
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main");
    var newMain = fresh.querySelector("main");
    if (!main || !newMain) { return; }
    main.innerHTML = newMain.innerHTML;
    init();
    var summary = main.querySelector(".error-summary") || main.querySelector("h1");
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  }

  function send(form, event) {
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var text = box && box.querySelector("[data-progress-text]");
    if (!bar || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    box.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        text.textContent = percent + "%";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL);
      } else {
        showRefusal(xhr.responseText);
      }
    });
    xhr.addEventListener("error", function () {
      // The connection broke (often: the file was far too large); post without JavaScript.
      form.submit();
    });
    xhr.send(new FormData(form));
  }

  function init() {
    var forms = document.querySelectorAll("form[data-upload-progress]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) { send(form, event); });
    });
  }

  init();
})();
