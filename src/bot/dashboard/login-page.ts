import { html } from './html.js';
import { page } from './page-shell.js';

/** What someone not signed in sees of /dashboard: a way in, and nothing of the fleet. */
export function loginPage(options: { loginEnabled: boolean; problem?: string }): string {
  const body = html`<main class="login">
    ${options.problem && html`<p class="problem" role="alert">${options.problem}</p>`}
    ${
      options.loginEnabled
        ? html`<p>Sign in to see the previews of the repositories you can read.</p>
            <p><a class="button" id="sign-in" href="/login">Sign in with GitHub</a></p>`
        : html`<p>
            Sign-in with GitHub is not set up on this App (GITHUB_CLIENT_ID). Operators can send
            <code>Authorization: Bearer &lt;ECS_PAAS_API_TOKEN&gt;</code>.
          </p>`
    }
  </main>`;
  return page(body, { title: 'Sign in · ecs-paas' });
}

/** A page that only says what went wrong (the details went to the log). */
export function problemPage(problem: string): string {
  return page(html`<main><p class="problem" role="alert">${problem}</p></main>`, {
    title: 'ecs-paas',
  });
}
