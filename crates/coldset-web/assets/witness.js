// Every production page is a witness of its ledger: see witness.rs.
(async function () {
  var me = document.currentScript, p = me && me.dataset.production;
  if (!p || !window.localStorage || !window.fetch) return;
  var base = '/api/v1/productions/' + encodeURIComponent(p);
  var slot = 'coldset.witness.' + p;
  function b64(s) { var bin = atob(s), a = new Uint8Array(bin.length); for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i); return a; }
  function hex(s) { var a = new Uint8Array(s.length / 2); for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(2 * i, 2), 16); return a; }
  function same(a, b) { if (a.length !== b.length) return false; for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }
  async function node(l, r) {
    var buf = new Uint8Array(65); buf[0] = 1; buf.set(l, 1); buf.set(r, 33);
    return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  }
  // RFC 9162 section 2.1.4.2: does the tree of size n2 with root r2 extend size n1, root r1?
  async function consistent(n1, n2, r1, r2, path) {
    if (n1 === n2) return path.length === 0 && same(r1, r2);
    if (path.length === 0) return false;
    var fn = n1 - 1n, sn = n2 - 1n;
    if ((n1 & (n1 - 1n)) === 0n) path = [r1].concat(path);
    while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await node(path[i], fr); sr = await node(path[i], sr);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        sr = await node(sr, path[i]);
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n && same(fr, r1) && same(sr, r2);
  }
  function alarm(what, seen, now) {
    var box = document.createElement('p');
    box.setAttribute('role', 'alert'); box.className = 'warn stop'; box.id = 'ledger-alarm';
    box.textContent = 'LEDGER ALARM: ' + what + '. This device saw the log at ' + seen.size +
      ' events; the server now shows ' + now.size + '. This device has sent a safety report about it; tell the safety advisor too.';
    (document.querySelector('main') || document.body).prepend(box);
    var sent = slot + '.reported.' + seen.size + '.' + seen.root + '.' + now.size + '.' + now.root;
    if (localStorage.getItem(sent)) return;
    fetch(base + '/reports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
      severity: 'concern',
      text: 'Ledger alarm on a device (' + what + '): it had been shown the signed log at ' + seen.size +
        ' events (root ' + seen.root + '); the server now shows ' + now.size + ' events (root ' + now.root + ').'
    }) }).then(function (r) { if (r.ok) localStorage.setItem(sent, '1'); });
  }
  try {
    var answer = await fetch(base + '/checkpoint', { credentials: 'same-origin' });
    if (!answer.ok) return;
    var note = (await answer.json()).note || '';
    var body = note.slice(0, note.lastIndexOf('\n\n') + 1).split('\n');
    var now = { size: body[1], root: body[2] };
    if (!/^[0-9]+$/.test(now.size || '') || !now.root) return;
    var seen = null;
    try { seen = JSON.parse(localStorage.getItem(slot) || 'null'); } catch (e) { seen = null; }
    var remember = function () { localStorage.setItem(slot, JSON.stringify(now)); };
    if (!seen || !/^[0-9]+$/.test(seen.size || '')) { remember(); return; }
    var n1 = BigInt(seen.size), n2 = BigInt(now.size);
    if (n2 < n1) { alarm('ROLLBACK, the log is shorter than before', seen, now); return; }
    if (n2 === n1) { if (seen.root !== now.root) alarm('FORK, two different logs of one size', seen, now); return; }
    if (!window.crypto || !crypto.subtle) { console.warn('coldset: no WebCrypto here (use HTTPS): growth not checked'); remember(); return; }
    var proof = await fetch(base + '/proof/consistency?from=' + seen.size + '&to=' + now.size);
    if (!proof.ok) return;
    var path = ((await proof.json()).path || []).map(hex);
    if (await consistent(n1, n2, b64(seen.root), b64(now.root), path)) remember();
    else alarm('FORK, the new log does not extend the one seen before', seen, now);
  } catch (e) { console.warn('coldset witness: ' + e); }
})();
