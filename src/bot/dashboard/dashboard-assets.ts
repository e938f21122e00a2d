/**
 * The dashboard's one script and stylesheet, served from the App (the CSP allows scripts from
 * 'self' only, nothing inline). No build step: plain browser JavaScript, every value put on the
 * page through textContent, so nothing the API returns can become markup.
 */
export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : null;
  var REFRESH_MS = 15000;
  var timer;

  function notice(text, failed) {
    var line = document.getElementById('notice');
    if (!line) return;
    line.textContent = text;
    line.className = failed ? 'failed' : '';
  }

  function apiPath(row, action) {
    var repo = row.getAttribute('data-repo').split('/');
    return '/api/previews/' + encodeURIComponent(repo[0]) + '/' + encodeURIComponent(repo[1]) +
      '/' + encodeURIComponent(row.getAttribute('data-pr')) + '/' + action;
  }

  function reason(response) {
    return response.json().then(function (body) {
      return (body && (body.error || body.message)) || ('HTTP ' + response.status);
    }, function () { return 'HTTP ' + response.status; });
  }

  function refresh() {
    clearTimeout(timer);
    return fetch('/dashboard', { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return; }
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text().then(function (text) {
          var fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('fleet');
          var current = document.getElementById('fleet');
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(function (error) { notice('Could not refresh: ' + error.message, true); })
      .then(function () { timer = setTimeout(refresh, REFRESH_MS); });
  }

  function act(row, action, button) {
    var headers = { accept: 'application/json' };
    if (csrf) headers['x-csrf-token'] = csrf;
    button.disabled = true;
    notice((action === 'stop' ? 'Stopping' : 'Relaunching') + ' #' + row.getAttribute('data-pr') + '…');
    return fetch(apiPath(row, action), { method: 'POST', credentials: 'same-origin', headers: headers })
      .then(function (response) {
        if (!response.ok) {
          return reason(response).then(function (why) {
            button.disabled = false;
            notice(action + ' #' + row.getAttribute('data-pr') + ' failed: ' + why, true);
          });
        }
        notice((action === 'stop' ? 'Stopped' : 'Relaunched') + ' #' + row.getAttribute('data-pr'));
        return refresh();
      });
  }

  // The API answers lines per container, or (public repositories) where to read them.
  function logText(body) {
    if (body.delivery === 'link') {
      return (body.streams || []).map(function (s) {
        return s.container + ': ' + (s.location
          ? s.location.group + ' / ' + s.location.stream + ' (' + s.location.region + ')'
          : (s.note || 'no stream'));
      }).join('\n') || '(no log streams)';
    }
    return (body.containers || []).map(function (c) {
      var head = '== ' + c.container + (c.source ? ' (' + c.source + ')' : '') + ' ==';
      return [head].concat(c.lines.length ? c.lines : [c.note || '(no lines)']).join('\n');
    }).join('\n\n') || '(no containers)';
  }

  function showLogs(row) {
    var section = document.getElementById('logs');
    var title = document.getElementById('logs-title');
    var lines = document.getElementById('logs-lines');
    title.textContent = row.getAttribute('data-repo') + ' #' + row.getAttribute('data-pr');
    lines.textContent = 'Loading…';
    section.hidden = false;
    return fetch(apiPath(row, 'logs') + '?lines=100', {
      credentials: 'same-origin', headers: { accept: 'application/json' }
    }).then(function (response) {
      if (!response.ok) {
        return reason(response).then(function (why) { lines.textContent = 'No logs: ' + why; });
      }
      return response.json().then(function (body) {
        lines.textContent = logText(body);
        section.setAttribute('data-loaded', 'true');
      });
    }).catch(function (error) { lines.textContent = 'No logs: ' + error.message; });
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-action]');
    if (!button) return;
    var row = button.closest('tr[data-pr]');
    if (!row) return;
    var action = button.getAttribute('data-action');
    if (action === 'logs') showLogs(row);
    else act(row, action, button);
  });

  timer = setTimeout(refresh, REFRESH_MS);
})();
`;

export const DASHBOARD_STYLE = `:root { color-scheme: light dark; --line: #d0d7de; --muted: #57606a; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 1.5rem 2rem; max-width: 78rem; }
header { display: flex; align-items: baseline; justify-content: space-between; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.25rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
h2 .count { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code { font: 12px ui-monospace, monospace; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; border: 1px solid var(--line); }
.state-ready { background: #dafbe1; color: #1a7f37; }
.state-starting { background: #fff8c5; color: #7d4e00; }
.state-unhealthy { background: #ffebe9; color: #cf222e; }
.state-stopped, .state-stopped-idle { color: var(--muted); }
.reason, .keep { color: var(--muted); font-size: 12px; }
.actions button { margin-right: .3rem; }
button, .button { font: inherit; padding: .2rem .7rem; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; color: #24292f; cursor: pointer; text-decoration: none; }
#notice.failed, .problem { color: #cf222e; }
#logs pre { max-height: 24rem; overflow: auto; padding: .75rem; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; }
.login { margin-top: 3rem; }
`;
