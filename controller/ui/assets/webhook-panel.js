// The webhook set-up of a watched app: URLs per provider with copy buttons, and the
// secret, shown only when asked.
import { el } from './dom.js';

/** Copies `text`, saying so next to the button. */
function copyButton(label, text) {
  const button = el('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select and copy by hand';
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

/** Draws `hook` (GET …/webhook) into #webhook. */
export function drawWebhook(hook) {
  const secret = el('code', { id: 'webhook-secret' }, '••••••••');
  const reveal = el('button', { type: 'button', class: 'secondary' }, 'Reveal secret');
  reveal.addEventListener('click', () => {
    const hidden = secret.textContent !== hook.secret;
    secret.textContent = hidden ? hook.secret : '••••••••';
    reveal.textContent = hidden ? 'Hide secret' : 'Reveal secret';
  });
  const providers = [['github', 'GitHub'], ['gitlab', 'GitLab'], ['gitea', 'Gitea / Forgejo']];
  document.getElementById('webhook').replaceChildren(
    hook.warning ? el('p', { class: 'error' }, hook.warning) : '',
    el('p', {}, 'Secret: ', secret, ' ', reveal, ' ', copyButton('Copy secret', () => hook.secret)),
    el('p', {}, `Content type ${hook.contentType}, events: ${hook.events.join(', ')}.`),
    ...providers.map(([key, label]) => el('div', { class: 'webhook-provider' },
      el('h3', {}, label),
      el('p', {}, 'Payload URL: ', el('code', {}, hook.urls[key]), ' ', copyButton(`Copy ${label} URL`, () => hook.urls[key])),
      el('p', { class: 'hint' }, hook.instructions[key]))));
}
