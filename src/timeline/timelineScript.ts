// The webview's script (inline, with the page's nonce): draws what the extension posts (the whole drawing,
// or only the new rows and where every row goes), keeps the view at
// the end while it was there, sends the buttons' actions, turns the drawing into a PNG for Export PNG.
export function panelScript(): string {
  return `(() => {
  const vscode = acquireVsCodeApi();
  const view = document.getElementById('view');
  const status = document.getElementById('status');
  const num = (id) => Number(document.getElementById(id).value);
  // A redraw that sends only the new rows: keep the rows we hold, parse the added ones, put each where it goes.
  const update = (m) => {
    const svg = view.querySelector('svg');
    for (const [k, v] of [['width', m.width], ['height', m.height], ['viewBox', '0 0 ' + m.width + ' ' + m.height]]) { svg.setAttribute(k, v); }
    svg.querySelector('g.head').innerHTML = m.head;
    const rows = svg.querySelector('g.rows');
    const held = new Map();
    for (const g of rows.children) { held.set(g.getAttribute('data-seq'), g); }
    const added = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    added.innerHTML = m.added;
    for (const g of [...added.children]) { held.set(g.getAttribute('data-seq'), g); }
    const placed = document.createDocumentFragment();
    for (const [seq, y] of m.order) {
      const g = held.get(String(seq));
      if (g) { g.setAttribute('transform', 'translate(0,' + y + ')'); placed.appendChild(g); }
    }
    rows.replaceChildren(placed);
  };
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type !== 'render') { return; }
    const atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    if (m.svg !== undefined) { view.innerHTML = m.svg; } else { update(m); }
    status.textContent = m.status;
    for (const b of document.querySelectorAll('button[data-action]')) {
      const a = b.dataset.action;
      b.disabled = a === 'closeUnread' ? !m.canCloseUnread : !m.canAct || (a === 'pause' && m.paused) || (a === 'resume' && !m.paused);
    }
    if (atEnd) { window.scrollTo(0, document.body.scrollHeight); }
  });
  for (const b of document.querySelectorAll('button[data-action]')) {
    b.addEventListener('click', () => vscode.postMessage({ type: 'action', action: b.dataset.action, text: document.getElementById('text').value, pieces: num('pieces'), gapMs: num('gap') }));
  }
  document.getElementById('hex').addEventListener('change', (e) => vscode.postMessage({ type: 'hex', on: e.target.checked }));
  for (const b of document.querySelectorAll('button[data-export]')) {
    b.addEventListener('click', () => {
      const format = b.dataset.export;
      if (format !== 'png') { vscode.postMessage({ type: 'export', format }); return; }
      const svg = view.querySelector('svg');
      if (!svg) { return; }
      const xml = new XMLSerializer().serializeToString(svg);
      const img = new Image();
      img.onload = () => {
        const c = document.createElement('canvas');
        c.width = img.width; c.height = img.height;
        c.getContext('2d').drawImage(img, 0, 0);
        vscode.postMessage({ type: 'export', format: 'png', data: c.toDataURL('image/png') });
      };
      img.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(xml)));
    });
  }
  vscode.postMessage({ type: 'ready' });
})();`;
}
