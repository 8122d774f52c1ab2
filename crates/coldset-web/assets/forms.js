// Steps without full page loads, and refusals that keep what was typed. A step's form
// (`form[data-action]`) is sent in the background; when it is recorded, the page it leads
// to replaces this page's content in place (its banner says what was recorded, and the next
// step is ready, its first field focused); when it is refused, the refusal appears above the
// form, which keeps everything typed. Without this script the forms work as plain posts.
(function () {
  var main = document.querySelector('main');
  if (!main || !window.fetch || !window.DOMParser) return;

  // Scripts in swapped-in content do not run by themselves: start them again (all but
  // this one, which is already listening).
  function runScripts(root) {
    root.querySelectorAll('script[src]').forEach(function (old) {
      if (old.src.indexOf('/assets/forms.') !== -1) return;
      var s = document.createElement('script');
      for (var i = 0; i < old.attributes.length; i++) s.setAttribute(old.attributes[i].name, old.attributes[i].value);
      old.replaceWith(s);
    });
  }

  // Counts the page's in-place updates (`data-updates` on <html>), for whoever waits for one.
  function updated() {
    var root = document.documentElement;
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
  }

  function focusNext() {
    var first = main.querySelector('[autofocus]');
    if (first) first.focus({ preventScroll: true });
    var banner = main.querySelector('.banner');
    if (banner) {
      var r = banner.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) banner.scrollIntoView({ block: 'start' });
    }
  }

  document.addEventListener('submit', async function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches('main form[data-action]') || ev.defaultPrevented) return;
    ev.preventDefault();
    var data = new FormData(form);
    if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    var answer, html;
    try {
      // Not form.action: the form's field named "action" hides that property.
      answer = await fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(data), credentials: 'same-origin' });
      html = await answer.text();
    } catch (e) {
      // The network dropped: send it the plain way (the submission key makes a retry safe).
      form.submit();
      return;
    }
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var next = doc.querySelector('main');
    if (answer.ok && next) {
      main.innerHTML = next.innerHTML;
      document.title = doc.title;
      if (answer.redirected) {
        // The address of the page now shown, without the one-off `recorded` banner.
        var url = new URL(answer.url);
        url.searchParams.delete('recorded');
        history.replaceState(null, '', url.pathname + url.search + url.hash);
      }
      runScripts(main);
      focusNext();
      updated();
      return;
    }
    // Refused: the reasons above the form, and the form as it was.
    buttons.forEach(function (b) { b.disabled = false; });
    form.removeAttribute('aria-busy');
    var old = form.previousElementSibling;
    if (old && old.classList.contains('inline-refusal')) old.remove();
    var box = document.createElement('div');
    box.className = 'inline-refusal';
    var alert = doc.querySelector('[role=alert]');
    box.innerHTML = '<p class="warn"><strong>Nothing was recorded.</strong> Put it right below and send again.</p>'
      + (alert ? alert.outerHTML : '<p class="warn" role="alert">The server answered ' + answer.status + '.</p>');
    form.before(box);
    box.scrollIntoView({ block: 'nearest' });
    updated();
  });
})();
