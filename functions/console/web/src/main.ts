/**
 * The console's entry point. In the sign-in pop-up (back from the identity provider) it only hands
 * the answer to the console page and closes; otherwise it starts the app.
 */
import { render } from 'preact';
import { html } from 'htm/preact';
import { completeSignInCallback } from './auth';
import { App } from './app';

if (!completeSignInCallback()) {
  const root = document.getElementById('app');
  if (root) {
    root.textContent = '';
    render(html`<${App} />`, root);
  }
}
