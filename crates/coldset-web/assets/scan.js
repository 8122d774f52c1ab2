// The camera: the first QR code seen fills the field and opens its page. The browser's own
// barcode detector is used where there is one (Chrome on Android); elsewhere (Safari on
// iPhones, Firefox, desktop Chrome on Linux) the vendored jsQR decoder reads the frames,
// loaded only when the camera is started. Browsers allow the camera on HTTPS or localhost.
(function () {
  // The decoder's address carries its content hash: the page names it on this script's tag.
  var jsqr = document.currentScript && document.currentScript.dataset.jsqr;
  var button = document.getElementById('camera');
  var status = document.getElementById('camera-status');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status.textContent = 'The camera cannot be used on this page (it needs HTTPS): type the code or use a scanner.';
    return;
  }
  button.hidden = false;
  // A function that reads the QR codes in the video's current frame.
  var decoder = async function (video) {
    if ('BarcodeDetector' in window) {
      var formats = await BarcodeDetector.getSupportedFormats();
      if (formats.indexOf('qr_code') >= 0) {
        var detector = new BarcodeDetector({ formats: ['qr_code'] });
        return async function () {
          var codes = await detector.detect(video);
          return codes.length > 0 ? codes[0].rawValue : null;
        };
      }
    }
    await new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = jsqr;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('the QR decoder did not load')); };
      document.head.appendChild(s);
    });
    var canvas = document.createElement('canvas');
    var context = canvas.getContext('2d', { willReadFrequently: true });
    return async function () {
      var w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) return null;
      canvas.width = w;
      canvas.height = h;
      context.drawImage(video, 0, 0, w, h);
      var code = jsQR(context.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' });
      return code ? code.data : null;
    };
  };
  button.addEventListener('click', async function () {
    var video = document.getElementById('preview');
    button.disabled = true;
    try {
      var read = await decoder(video);
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      status.textContent = 'Point the camera at a label.';
      var look = async function () {
        var text = await read();
        if (text) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          status.textContent = 'Label read: opening it.';
          document.getElementById('code').value = text;
          document.getElementById('scan-form').submit();
          return;
        }
        // About ten looks a second: enough for a label held up to the phone, and the
        // decoder does not keep a phone's processor busy.
        setTimeout(look, 100);
      };
      look();
    } catch (e) {
      button.disabled = false;
      status.textContent = 'The camera is not available (' + (e.name || 'error') + ': ' + e.message + '): type the code instead.';
    }
  });
})();
