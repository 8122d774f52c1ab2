// Registration on the person's own page; confirmation from any `button.passkey` (its
// `data-person-field` names the form field holding the person, or `data-person` gives
// them): the passkey's answer fills the form's hidden fields and the form is sent.
(function () {
  function b64u(buf) { var s = '', a = new Uint8Array(buf); for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); }
  function unb64u(s) { s = s.replace(/-/g, '+').replace(/_/g, '/'); while (s.length % 4) s += '='; var b = atob(s), a = new Uint8Array(b.length); for (var i = 0; i < b.length; i++) a[i] = b.charCodeAt(i); return a; }
  async function post(url, csrf, body) {
    var r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
    var text = await r.text();
    if (!r.ok) { var m = text; try { m = JSON.parse(text).message; } catch (e) {} throw new Error(m); }
    return text ? JSON.parse(text) : null;
  }
  var supported = window.PublicKeyCredential && navigator.credentials;
  var reg = document.getElementById('passkey-register');
  if (reg) {
    var status = document.getElementById('passkey-status');
    if (!supported) { reg.hidden = true; status.textContent = 'This browser cannot use passkeys here (they need HTTPS or localhost).'; }
    reg.addEventListener('click', async function () {
      var p = reg.dataset.production, csrf = reg.dataset.csrf;
      try {
        var c = await post('/api/v1/productions/' + p + '/passkeys/challenge', csrf, { person: reg.dataset.person, purpose: 'register' });
        var cred = await navigator.credentials.create({ publicKey: {
          challenge: unb64u(c.challenge), rp: { id: c.rp_id, name: 'coldset' },
          user: { id: unb64u(c.user.id), name: c.user.name, displayName: c.user.name },
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
          excludeCredentials: c.credentials.map(function (id) { return { type: 'public-key', id: unb64u(id) }; }),
          authenticatorSelection: { userVerification: 'required', residentKey: 'preferred' },
          attestation: 'none', timeout: 120000 } });
        await post('/api/v1/productions/' + p + '/me/passkeys', csrf, {
          credential_id: cred.id, client_data: b64u(cred.response.clientDataJSON),
          authenticator_data: b64u(cred.response.getAuthenticatorData()),
          public_key: b64u(cred.response.getPublicKey()), algorithm: cred.response.getPublicKeyAlgorithm() });
        location.reload();
      } catch (e) { status.textContent = 'No passkey was registered: ' + e.message; }
    });
  }
  document.querySelectorAll('button.passkey').forEach(function (button) {
    var form = button.closest('form');
    if (!supported) { button.hidden = true; return; }
    button.addEventListener('click', async function () {
      var field = button.dataset.personField, person = field ? form.elements[field].value : button.dataset.person;
      var note = form.querySelector('.passkey-status');
      try {
        var c = await post('/api/v1/productions/' + button.dataset.production + '/passkeys/challenge', form.elements.csrf.value, { person: person, purpose: 'confirm' });
        var got = await navigator.credentials.get({ publicKey: {
          challenge: unb64u(c.challenge), rpId: c.rp_id, userVerification: 'required', timeout: 120000,
          allowCredentials: c.credentials.map(function (id) { return { type: 'public-key', id: unb64u(id) }; }) } });
        form.elements.passkey_credential.value = got.id;
        form.elements.passkey_client_data.value = b64u(got.response.clientDataJSON);
        form.elements.passkey_authenticator_data.value = b64u(got.response.authenticatorData);
        form.elements.passkey_signature.value = b64u(got.response.signature);
        form.submit();
      } catch (e) { if (note) note.textContent = 'Not confirmed by passkey: ' + e.message; }
    });
  });
})();
