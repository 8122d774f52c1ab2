// RFC 9162 inclusion verification and the C2SP signed-note signature, in the browser.
// Each event of the audit page carries its proof (`.proof`: the event's bytes, its index,
// the proof's hashes, the signed checkpoint and the verifier key); its "Verify" button
// checks it here, trusting nothing the server computed. The one opened event (`#proof`) is
// checked at once.
(function () {
  function b64(s) { var bin = atob(s), a = new Uint8Array(bin.length); for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i); return a; }
  function hex(s) {
    if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error('a proof hash is not hexadecimal');
    var a = new Uint8Array(s.length / 2); for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(2 * i, 2), 16); return a;
  }
  function same(a, b) { if (a.length !== b.length) return false; for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }
  async function sha(prefix, parts) {
    var len = 1; parts.forEach(function (p) { len += p.length; });
    var buf = new Uint8Array(len); buf[0] = prefix; var at = 1;
    parts.forEach(function (p) { buf.set(p, at); at += p.length; });
    return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  }

  // Checks one proof element; writes the verdict into `out`.
  async function check(el, out) {
    // Every failure says "does not verify", whatever its cause.
    function fail(why) { out.textContent = 'NOT VERIFIED: this proof does not verify: ' + why; out.className = 'warn'; }
    if (!window.crypto || !crypto.subtle) { fail('this browser offers no WebCrypto here (use HTTPS)'); return; }
    out.textContent = 'checking…'; out.className = '';
    try {
      var index = BigInt(el.dataset.index), size = BigInt(el.dataset.size);
      var path = el.dataset.path ? el.dataset.path.split(',').map(hex) : [];
      // The leaf: SHA-256(0x00 || the event's bytes).
      var r = await sha(0, [b64(el.dataset.leaf)]);
      // RFC 9162 section 2.1.3.2.
      var fn = index, sn = size - 1n;
      for (var i = 0; i < path.length; i++) {
        if (sn === 0n) { fail('the proof is longer than the tree allows'); return; }
        if ((fn & 1n) === 1n || fn === sn) {
          r = await sha(1, [path[i], r]);
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        } else {
          r = await sha(1, [r, path[i]]);
        }
        fn >>= 1n; sn >>= 1n;
      }
      if (sn !== 0n) { fail('the proof is shorter than the tree needs'); return; }
      // The signed checkpoint: body, blank line, signature lines.
      var note = el.dataset.note, split = note.lastIndexOf('\n\n');
      if (split < 0) { fail('the checkpoint is not a signed note'); return; }
      var body = note.slice(0, split + 1), lines = body.split('\n');
      if (lines[1] !== String(size)) { fail('the checkpoint covers ' + lines[1] + ' events, the proof ' + size); return; }
      if (!same(r, b64(lines[2]))) { fail('the computed root differs from the signed root'); return; }
      // The verifier key: name+keyid+base64(0x01 || public key).
      // Only the first two '+' separate: base64 itself may contain '+'.
      var key = el.dataset.key.split('+'); key = [key[0], key[1], key.slice(2).join('+')];
      var raw = b64(key[2]);
      if (raw[0] !== 1) { fail('the verifier key is not Ed25519'); return; }
      var sig = null;
      note.slice(split + 2).split('\n').forEach(function (line) {
        var m = line.match(/^\u2014 (\S+) (\S+)$/);
        if (m && m[1] === key[0]) { var s = b64(m[2]); if (s.length === 68 && Array.from(s.slice(0, 4)).map(function (x) { return ('0' + x.toString(16)).slice(-2); }).join('') === key[1]) sig = s.slice(4); }
      });
      if (!sig) { fail('the checkpoint carries no signature by this key'); return; }
      var pub;
      try { pub = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']); }
      catch (e) { out.textContent = 'inclusion verified: the event is in the signed tree root; this browser cannot check Ed25519 signatures (' + e.name + '), run coldset verify for the signature'; out.className = ''; return; }
      var ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig, new TextEncoder().encode(body));
      if (!ok) { fail('the checkpoint signature does not verify with this key'); return; }
      out.textContent = 'VERIFIED: the event hashes into the root of checkpoint ' + size + ', and the checkpoint is signed by ' + key[0];
      out.className = 'ok';
    } catch (e) { fail(String(e)); }
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target.closest && ev.target.closest('button[data-verify]');
    if (!button) return;
    var card = button.closest('.card') || document;
    var el = card.querySelector('.proof');
    var out = document.getElementById(button.getAttribute('aria-describedby'));
    if (el && out) check(el, out);
  });

  var opened = document.getElementById('proof'), out = document.getElementById('browser-check');
  if (opened && out) check(opened, out);
})();
