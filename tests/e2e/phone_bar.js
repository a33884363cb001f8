// Measures the open page against the phone bar (issue 15); returns the problems as sentences.
// Called by tests/e2e/test_phone_bar.py with {tap, text, destructive}: the least height of a
// target and of text in px, and the pattern of a destructive form's address.
({tap, text, destructive}) => {
  const problems = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0
      && getComputedStyle(el).visibility !== 'hidden';
  };
  const name = el => (el.innerText || el.value || el.name || el.tagName).trim().slice(0, 40);

  const header = document.querySelector('.site-header');
  const height = header.getBoundingClientRect().height;
  if (height > 120) problems.push(`the header is ${height}px high`);
  const nav = [...header.querySelectorAll('nav a, nav button')].filter(shown);
  if (new Set(nav.map(a => Math.round(a.getBoundingClientRect().top))).size > 1)
    problems.push('the navigation wraps onto a second line');
  const bar = header.querySelector('nav');
  if (bar.scrollWidth > bar.clientWidth + 1) problems.push('the navigation is cut off');

  // A link inline in running text sits in a sentence: its parent has words of its own.
  const inText = el => [...el.parentElement.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim().length > 0);
  const targets = 'a[href], button, summary, select, label.check, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el) || el.closest('.skip-link')) continue;
    if ((el.tagName === 'A' || el.classList.contains('link')) && inText(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.height < tap - 0.5)
      problems.push(`target "${name(el)}" is ${Math.round(r.height)}px high`);
  }

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (!shown(el) || el.closest('.skip-link, script, style, svg')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < text - 0.05) problems.push(`text "${name(el)}" is ${size}px`);
  }

  for (const summary of document.querySelectorAll('summary')) {
    if (!shown(summary)) continue;
    const style = getComputedStyle(summary);
    const marker = getComputedStyle(summary, '::before').content;
    const looks = parseFloat(style.borderBottomWidth) > 0
      || style.textDecorationLine.includes('underline') || style.display === 'list-item'
      || (marker && marker !== 'none' && marker !== 'normal');
    if (!looks) problems.push(`<summary> "${name(summary)}" does not look pressable`);
  }

  // A destructive action is taken in two steps: open a <details>, then confirm; or on a
  // page that asks to confirm.
  const pattern = new RegExp(destructive);
  for (const button of document.querySelectorAll('form button, form input[type=submit]')) {
    const form = button.form;
    if (!form || (form.method || '').toLowerCase() !== 'post') continue;
    const action = new URL(form.action, location.href).pathname;
    if (!pattern.test(action) && !button.classList.contains('danger')) continue;
    if (button.closest('details') || form.querySelector('input[name=confirm], input[name=confirmed]'))
      continue;
    problems.push(`"${name(button)}" (${action}) has no confirmation step`);
  }

  for (const box of document.querySelectorAll('table, .table-scroll')) {
    if (!shown(box) || box.scrollWidth <= box.clientWidth + 1) continue;
    const named = box.getAttribute('aria-label') || box.getAttribute('aria-labelledby');
    if (!box.matches('[tabindex]') || !named)
      problems.push('a table scrolls sideways but the keyboard cannot reach it');
  }
  if (document.documentElement.scrollWidth > innerWidth + 1)
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  return problems;
}
