// Environment variables: values behind a fixed mask until revealed; change, remove.
import { el } from './dom.js';

const MASK = '••••••••';

/**
 * Draws `vars` into `tbody`. `act(button, task)` runs an action with its errors shown;
 * `write(environment)` saves the whole map (the API replaces it).
 */
export function drawEnv(tbody, vars, act, write) {
  const env = Object.entries(vars).sort(([a], [b]) => a.localeCompare(b));
  tbody.replaceChildren(...env.map(([key, value]) => {
    const shown = el('code', { 'data-env': key }, MASK);
    const cell = el('td', {}, shown);
    const reveal = el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', 'aria-label': `Reveal ${key}` }, 'Reveal');
    reveal.addEventListener('click', () => {
      const hidden = shown.textContent === MASK;
      shown.textContent = hidden ? value : MASK;
      reveal.textContent = hidden ? 'Hide' : 'Reveal';
      reveal.setAttribute('aria-pressed', String(hidden));
    });
    const change = el('button', { type: 'button', class: 'secondary', 'aria-label': `Change ${key}` }, 'Change');
    change.addEventListener('click', () => {
      const input = el('input', { type: 'text', value, 'aria-label': `New value of ${key}`, autocomplete: 'off', 'data-env-input': key });
      const save = el('button', { type: 'button' }, 'Save');
      save.addEventListener('click', act(save, () => write({ ...vars, [key]: input.value })));
      cell.replaceChildren(input, ' ', save);
      input.focus();
    });
    const remove = el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${key}` }, 'Remove');
    remove.addEventListener('click', act(remove, () => {
      const next = { ...vars };
      delete next[key];
      return write(next);
    }));
    return el('tr', {}, el('td', {}, el('code', {}, key)), cell, el('td', {}, reveal, ' ', change, ' ', remove));
  }));
  if (!env.length) tbody.append(el('tr', {}, el('td', { colspan: 3 }, 'No variables.')));
}
