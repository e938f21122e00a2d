/** The registration page: one button that POSTs app.yml to GitHub's "new App from manifest" form. */
export function setupPage(page: { action: string; manifest: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register ecs-paas</title></head>
<body>
<h1>Register the ecs-paas GitHub App</h1>
<p>GitHub creates the App from <code>app.yml</code>, then sends you back here once; the key and
webhook secret are written next to this process (mode 0600).</p>
<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="manifest" value="${escapeHtml(page.manifest)}">
<button type="submit">Register on GitHub</button>
</form>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
