/**
 * @internal The page's script. Breaker names and every value from the server are written with
 * `textContent`, never as HTML. Live through Server-Sent Events; polls `breakers.json` when
 * the browser has no EventSource or the feed is refused.
 */
export const SCRIPT = String.raw`(function () {
'use strict';
var $ = function (id) { return document.getElementById(id); };
var token = document.querySelector('meta[name="tripswitch-token"]').content;
var base = location.pathname.slice(-1) === '/' ? location.pathname : location.pathname + '/';
var WORDS = { closed: 'closed', open: 'open', halfOpen: 'half-open', isolated: 'isolated', disabled: 'disabled' };
var COLORS = {};
var STRIP_MS = 5 * 60 * 1000;
var LIMIT = 200;
var ACTIONS = ['open', 'isolate', 'close', 'disable'];
var rows = new Map();
var lastAt = 0;
var scheduled = false;
var mode = 'connecting';
if (token) document.body.classList.add('controls');
['closed', 'open', 'halfOpen', 'isolated', 'disabled'].forEach(function (s) {
  COLORS[s] = getComputedStyle(document.documentElement).getPropertyValue('--' + s).trim() || 'gray';
});

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function visible(name) {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, function (c) {
    return '\\u' + (0x10000 + c.charCodeAt(0)).toString(16).slice(1).toUpperCase();
  });
}
function pct(x) { return Math.round(x * 100) + '%'; }
function perSecond(x) { return x < 10 ? x.toFixed(1) : String(Math.round(x)); }

function apply(message) {
  var now = performance.now();
  var dt = lastAt ? (message.at - lastAt) / 1000 : 0;
  var seen = new Set();
  if (message.full) rows.forEach(function (r) { r.fresh = false; });
  message.breakers.forEach(function (b) {
    var r = rows.get(b.name);
    if (!r) { r = { hist: [], calls: 0, rejected: 0 }; rows.set(b.name, r); }
    if (r.data && dt > 0) {
      r.calls = ease(r.calls, (b.totals.calls - r.data.totals.calls) / dt);
      r.rejected = ease(r.rejected, (b.totals.rejected - r.data.totals.rejected) / dt);
    }
    if (!r.data || r.data.state !== b.state) r.hist.push([now, b.state]);
    if (b.fleetSince) r.fleetAt = now - (message.at - b.fleetSince);
    r.data = b;
    r.at = now;
    r.fresh = true;
    seen.add(b.name);
  });
  if (message.full && !message.diff) rows.forEach(function (r, name) { if (!r.fresh) rows.delete(name); });
  (message.gone || []).forEach(function (name) { rows.delete(name); });
  if (dt > 0) rows.forEach(function (r, name) {
    if (!seen.has(name) && message.diff) { r.calls = ease(r.calls, 0); r.rejected = ease(r.rejected, 0); }
  });
  lastAt = message.at;
  var store = $('store');
  if (message.store) {
    store.hidden = false;
    store.textContent = message.store.available ? 'store available' : 'store unavailable';
    store.className = message.store.available ? '' : 'down';
  } else store.hidden = true;
  schedule();
}
function ease(old, next) { return next < 0 ? 0 : old * 0.4 + next * 0.6; }

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(function () { scheduled = false; render(); });
}

function rateCell(rate, threshold) {
  var td = el('td');
  var bar = el('span', 'rate');
  var fill = el('i', threshold !== undefined && threshold !== null && rate >= threshold ? 'over' : '');
  fill.style.width = pct(Math.min(1, rate));
  bar.appendChild(fill);
  if (typeof threshold === 'number') {
    var mark = el('b');
    mark.style.left = pct(Math.min(1, threshold));
    bar.appendChild(mark);
  }
  td.appendChild(bar);
  td.appendChild(document.createTextNode(pct(rate) + (typeof threshold === 'number' ? ' / ' + pct(threshold) : '')));
  return td;
}

// The states since the page opened, up to the last five minutes, oldest on the left.
function strip(r, now) {
  var h = r.hist.filter(function (p, i) { return i === r.hist.length - 1 || r.hist[i + 1][0] > now - STRIP_MS; });
  r.hist = h;
  var from = Math.max(now - STRIP_MS, h[0][0]);
  var span = Math.max(1, now - from);
  var stops = [];
  h.forEach(function (p, i) {
    var a = Math.max(0, (p[0] - from) / span) * 100;
    var b = i + 1 < h.length ? ((h[i + 1][0] - from) / span) * 100 : 100;
    stops.push(COLORS[p[1]] + ' ' + a.toFixed(2) + '% ' + b.toFixed(2) + '%');
  });
  var s = el('span', 'strip');
  if (stops.length) s.style.background = 'linear-gradient(to right,' + stops.join(',') + ')';
  s.title = h.map(function (p) { return WORDS[p[1]]; }).join(' \u2192 ');
  return s;
}

function probe(r, now) {
  var d = r.data;
  if (d.state === 'isolated') return 'until closed';
  if (d.state !== 'open') return '';
  var ms = Math.max(0, d.retryAfterMs - (now - r.at));
  return ms < 1000 ? 'now' : 'in ' + Math.ceil(ms / 1000) + ' s';
}

function fleetText(f, t, r, now) {
  return 'fleet: ' + (typeof t.failuresInARow === 'number' ? f.failures + ' in a row / ' + t.failuresInARow
    : pct(f.calls ? f.failures / f.calls : 0) + ' of ' + f.calls + ' calls') + ', ' + f.instances + ' process' + (f.instances === 1 ? '' : 'es')
    + ', as seen by this process' + (r.fleetAt ? ', unchanged for ' + Math.round((now - r.fleetAt) / 1000) + ' s' : '');
}

function lastChange(d) {
  if (!d.last) return '';
  var text = WORDS[d.last.from] + ' \u2192 ' + WORDS[d.last.to] + ' at ' + new Date(d.last.at).toLocaleTimeString();
  return d.last.remote ? text + ' by ' + (d.last.instance || 'another instance') : text;
}

function row(name, r, now) {
  var d = r.data;
  var tr = el('tr');
  tr.dataset.state = d.state;
  tr.appendChild(el('td', 'name', visible(name)));
  var st = el('td');
  st.appendChild(el('span', 'state s-' + d.state, WORDS[d.state] || d.state));
  tr.appendChild(st);
  var t = d.thresholds || {};
  var fc = typeof t.failuresInARow === 'number'
    ? el('td', '', d.consecutiveFailures + ' in a row / ' + t.failuresInARow)
    : rateCell(d.window.failureRate, t.failureRate);
  if (d.fleet) fc.appendChild(el('div', 'fleet muted', fleetText(d.fleet, t, r, now)));
  tr.appendChild(fc);
  tr.appendChild(rateCell(d.window.slowCallRate, t.slowCallRate));
  tr.appendChild(el('td', '', perSecond(r.calls)));
  tr.appendChild(el('td', '', perSecond(r.rejected)));
  tr.appendChild(el('td', 'probe', probe(r, now)));
  tr.appendChild(el('td', 'muted', lastChange(d)));
  var sc = el('td');
  sc.appendChild(strip(r, now));
  tr.appendChild(sc);
  var ctl = el('td', 'ctl');
  if (token) ACTIONS.forEach(function (action) {
    var b = el('button', '', action);
    b.type = 'button';
    b.dataset.action = action;
    b.addEventListener('click', function () { act(name, action); });
    ctl.appendChild(b);
  });
  tr.appendChild(ctl);
  return tr;
}

var ORDER = { open: 0, halfOpen: 1, isolated: 2, disabled: 3, closed: 4 };
function render() {
  var now = performance.now();
  var needle = $('filter').value.trim().toLowerCase();
  var names = [];
  var open = 0;
  rows.forEach(function (r, name) {
    if (r.data.state !== 'closed') open++;
    if (!needle || name.toLowerCase().indexOf(needle) >= 0) names.push(name);
  });
  names.sort(function (a, b) {
    return ORDER[rows.get(a).data.state] - ORDER[rows.get(b).data.state] || (a < b ? -1 : a > b ? 1 : 0);
  });
  var shown = names.slice(0, LIMIT);
  $('rows').replaceChildren.apply($('rows'), shown.map(function (name) { return row(name, rows.get(name), now); }));
  $('count').textContent = rows.size + ' breakers, ' + open + ' not closed' + (needle ? ', ' + names.length + ' match' : '');
  var more = $('more');
  more.hidden = names.length <= LIMIT;
  more.textContent = (names.length - LIMIT) + ' more: narrow the filter to see them';
}

function status(text) { mode = text; $('status').textContent = text; }

function act(name, action) {
  var msg = $('message');
  fetch(base + 'breakers.control', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Tripswitch-Token': token },
    body: JSON.stringify({ name: name, action: action })
  }).then(function (res) {
    return res.json().then(function (body) {
      msg.hidden = res.ok;
      if (!res.ok) msg.textContent = action + ' refused: ' + (body.error || res.status);
      if (mode === 'polling') poll();
    });
  }, function () { msg.hidden = false; msg.textContent = action + ' failed: no answer'; });
}

var pollTimer = 0;
function poll() {
  clearTimeout(pollTimer);
  fetch(base + 'breakers.json', { cache: 'no-store' }).then(function (res) {
    if (!res.ok) throw new Error(String(res.status));
    return res.json();
  }).then(function (body) {
    status('polling');
    apply({ at: body.at, full: true, breakers: body.breakers, gone: [], store: body.store });
  }, function () { status('disconnected: retrying'); }).then(function () {
    pollTimer = setTimeout(poll, 2000);
  });
}

function live() {
  var es = new EventSource(base + 'breakers.events');
  es.onopen = function () { status('live'); };
  es.onmessage = function (e) {
    var m = JSON.parse(e.data);
    m.diff = !m.full;
    if (m.full) lastAt = 0;
    apply(m);
  };
  es.addEventListener('failed', function () { es.close(); poll(); });
  es.onerror = function () {
    if (es.readyState === 2) { es.close(); poll(); } else status('reconnecting');
  };
}

$('filter').addEventListener('input', schedule);
setInterval(schedule, 1000);
if (typeof EventSource === 'function') live(); else poll();
})();
`;
