// Drafts: what someone types into a form marked data-draft stays on this device until the
// form is sent and accepted. A session that timed out, a dropped connection or a closed tab
// loses nothing: the text is back the next time the form is shown. Nothing leaves the device.
(function () {
  'use strict';
  var PREFIX = 'gongzhi-draft:';
  var store;
  try { store = window.localStorage; store.getItem(PREFIX); } catch (e) { return; }
  // The page says the last form sent was accepted when it shows a success message and no error.
  var accepted = document.querySelector('.flash[role=status]') &&
    !document.querySelector('.error[role=alert], .field-error');
  var forms = document.querySelectorAll('form[data-draft]');
  Array.prototype.forEach.call(forms, function (form) {
    var key = PREFIX + form.getAttribute('data-draft');
    var fields = function () {
      return Array.prototype.filter.call(form.elements, function (el) {
        if (!el.name || el.type === 'hidden' || el.type === 'file' || el.type === 'password') return false;
        return el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' ||
          (el.tagName === 'INPUT' && /^(text|search|tel|number|)$/.test(el.type));
      });
    };
    if (accepted && window.sessionStorage.getItem(key + ':sent')) store.removeItem(key);
    window.sessionStorage.removeItem(key + ':sent');
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || 'null'); } catch (e) { saved = null; }
    if (saved) {
      var restored = false;
      fields().forEach(function (el) {
        var v = saved[el.name];
        if (typeof v !== 'string' || v === '') return;
        if (el.tagName === 'SELECT' || el.value === '') { if (el.value !== v) { el.value = v; restored = true; } }
      });
      if (restored && form.getAttribute('data-draft-restored')) {
        var note = document.createElement('p');
        note.className = 'flash';
        note.setAttribute('role', 'status');
        note.textContent = form.getAttribute('data-draft-restored');
        form.parentNode.insertBefore(note, form);
      }
    }
    var save = function () {
      var draft = {}, any = false;
      fields().forEach(function (el) {
        if (el.value !== '') draft[el.name] = el.value;
        if (el.value !== '' && el.tagName !== 'SELECT') any = true;
      });
      if (any) store.setItem(key, JSON.stringify(draft)); else store.removeItem(key);
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    form.addEventListener('submit', function () { window.sessionStorage.setItem(key + ':sent', '1'); });
  });
})();
