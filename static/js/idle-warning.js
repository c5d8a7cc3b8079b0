// Warns a member before the server logs them out for doing nothing (WCAG 2.2.1: a way to stay),
// counts typing as activity, and keeps what was typed in a form across the log-in that follows.
(function () {
  'use strict';
  var dialog = document.getElementById('sessie-waarschuwing');
  if (!dialog) { return; }
  var idle = Number(dialog.dataset.idleSeconds) * 1000;
  var warning = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idle / 2);
  var user = dialog.dataset.user;
  var draftKey = 'kennisnet-concept:' + location.pathname;
  var lastStay = Date.now();
  var timers = [];

  function schedule() {
    timers.forEach(clearTimeout);
    // Two seconds after the server's limit, so the server has logged out when we ask again.
    timers = [setTimeout(warn, idle - warning), setTimeout(expire, idle + 2000)];
  }

  function warn() {
    if (typeof dialog.showModal === 'function') { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
    dialog.querySelector('[data-stay]').focus();
  }

  function close() {
    if (typeof dialog.close === 'function' && dialog.open) { dialog.close(); } else { dialog.removeAttribute('open'); }
  }

  function stay() {
    lastStay = Date.now();
    return fetch(dialog.dataset.stayUrl, {
      method: 'POST', credentials: 'same-origin', headers: {'X-CSRFToken': dialog.dataset.csrf}
    }).then(function (response) {
      if (response.ok) { schedule(); } else { expire(); }
    });
  }

  function expire() {
    saveDraft();
    location.assign(location.pathname + location.search);  // the server answers with the log-in page
  }

  function draftFields() {
    return Array.prototype.filter.call(document.querySelectorAll('main form[method="post"] textarea, main form[method="post"] input'), function (field) {
      return field.name && (field.tagName === 'TEXTAREA' || ['text', 'search', 'email', 'url', 'tel', 'number', 'date', 'time', 'datetime-local'].indexOf(field.type) >= 0);
    });
  }

  function saveDraft() {
    var values = {};
    var any = false;
    draftFields().forEach(function (field) {
      if (field.value && field.value !== field.defaultValue) { values[field.name] = field.value; any = true; }
    });
    if (any) {
      try { sessionStorage.setItem(draftKey, JSON.stringify({user: user, values: values})); } catch (e) { /* storage full or off */ }
    }
  }

  function restoreDraft() {
    var saved;
    try { saved = JSON.parse(sessionStorage.getItem(draftKey) || 'null'); } catch (e) { saved = null; }
    if (!saved || saved.user !== user) { return; }  // never another member's text
    sessionStorage.removeItem(draftKey);
    var restored = false;
    draftFields().forEach(function (field) {
      if (Object.prototype.hasOwnProperty.call(saved.values, field.name) && !field.value) {
        field.value = saved.values[field.name];
        restored = true;
      }
    });
    var notice = document.querySelector('.draft-restored');
    if (restored && notice) {
      notice.textContent = notice.dataset.restoredText;
      notice.hidden = false;
      var main = document.querySelector('main .wrap');
      if (main) { main.insertBefore(notice, main.firstChild); }
    }
  }

  dialog.querySelector('[data-stay]').addEventListener('click', function () { close(); stay(); });
  dialog.addEventListener('cancel', function (event) { event.preventDefault(); close(); stay(); });
  // Typing is activity the server cannot see: tell it now and then.
  document.addEventListener('input', function () {
    if (Date.now() - lastStay > Math.min(5 * 60 * 1000, idle / 3)) { stay(); }
  }, true);
  restoreDraft();
  schedule();
}());
