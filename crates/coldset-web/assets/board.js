// The live board (board.rs): replaces the board with each rendering the server sends, keeps
// a clock in the production's time zone, and says NOT LIVE, unmistakably, when the stream
// stops: the server is gone or frozen (no heartbeat for 5 seconds), or the session ended
// (then it offers to sign in again). It reconnects by itself and is live again when the
// server answers.
const board = document.querySelector('.board');
const live = document.getElementById('live');
const status = document.getElementById('status');
const notLive = document.getElementById('not-live');
const why = document.getElementById('not-live-why');
const signIn = document.getElementById('sign-in-again');
const clock = document.getElementById('clock');
const zone = board.dataset.zone;
const SILENCE_MS = 4000;
let lastHeard = Date.now();
let source = null;
let sessionEnded = false;

const time = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });

function setLive(isLive, reason) {
  board.classList.toggle('is-not-live', !isLive);
  notLive.hidden = isLive;
  status.textContent = isLive ? 'LIVE' : 'NOT LIVE';
  status.className = isLive ? 'live' : 'dead';
  if (!isLive) why.textContent = reason;
  signIn.hidden = !sessionEnded;
}

function heard() {
  lastHeard = Date.now();
  setLive(true, '');
}

// Asks whether the session still stands: an ended one cannot be cured by reconnecting.
async function checkSession() {
  try {
    const r = await fetch('/api/v1/me', { credentials: 'same-origin' });
    if (r.status === 401) {
      sessionEnded = true;
      setLive(false, 'Your session ended. Sign in again to see the board live.');
    }
  } catch (_) { /* the server is unreachable: the connection message stands */ }
}

function connect() {
  if (source) source.close();
  source = new EventSource(location.pathname + '/stream');
  source.addEventListener('board', e => { live.innerHTML = e.data; heard(); });
  source.addEventListener('beat', heard);
  source.onerror = () => {
    setLive(false, 'Lost the connection to coldset at ' + time.format(new Date(lastHeard)) + '. Retrying…');
    checkSession();
    // A refused stream (an ended session) is not retried by the browser: retry here.
    if (source.readyState === EventSource.CLOSED && !sessionEnded) setTimeout(connect, 2000);
  };
}

setInterval(() => {
  clock.textContent = time.format(new Date());
  if (!sessionEnded && Date.now() - lastHeard > SILENCE_MS) {
    setLive(false, 'No word from coldset since ' + time.format(new Date(lastHeard)) + '. Reconnecting…');
    // A frozen server keeps the connection open: drop it and start again.
    connect();
    lastHeard = Date.now() - SILENCE_MS + 2000;
  }
}, 1000);

connect();
