// The live board: replaces the board with each rendering the server sends (board.rs).
const live = document.getElementById('live');
const status = document.getElementById('status');
const source = new EventSource(location.pathname + '/stream');
source.addEventListener('board', e => { live.innerHTML = e.data; status.textContent = 'live'; });
source.onerror = () => { status.textContent = 'reconnecting...'; };
