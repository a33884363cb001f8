// Measures the open page against the phone bar (issue 15); returns the problems as sentences.
// Called by tests/e2e/test_phone_bar.py and test_phone_crawl.py with {tap, text, destructive}: the least height of a
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

  // Contrast of text against what is behind it: the first opaque background up the tree,
  // with translucent ones and the element's opacity blended in (WCAG 2 relative luminance).
  const rgba = value => {
    const m = value.match(/[\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const backdrops = new Map(), opacities = new Map();
  const backdrop = el => {
    if (!el) return {r: 255, g: 255, b: 255, a: 1};
    if (!backdrops.has(el)) {
      const colour = rgba(getComputedStyle(el).backgroundColor);
      backdrops.set(el, colour.a >= 1 ? colour : over(colour, backdrop(el.parentElement)));
    }
    return backdrops.get(el);
  };
  const opacity = el => {
    if (!el) return 1;
    if (!opacities.has(el))
      opacities.set(el, parseFloat(getComputedStyle(el).opacity) * opacity(el.parentElement));
    return opacities.get(el);
  };
  const luminance = ({r, g, b}) => {
    const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const contrast = el => {
    const behind = backdrop(el);
    const ink = rgba(getComputedStyle(el).color);
    const fore = over({...ink, a: ink.a * opacity(el)}, behind);
    const [light, dark] = [luminance(fore), luminance(behind)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  };

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (!shown(el) || el.closest('.skip-link, script, style, svg')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < text - 0.05) problems.push(`text "${name(el)}" is ${size}px`);
    if (el.closest(':disabled')) continue;  // an inactive control has no contrast bar (WCAG 1.4.3)
    const ratio = contrast(el);
    if (ratio < 4.5) problems.push(`text "${name(el)}" has contrast ${ratio.toFixed(2)}:1`);
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

  // A destructive action is taken in two steps, with and without JavaScript: open a
  // <details>, then confirm (the same with htmx); or on a page that asks to confirm; or, for a
  // one-tap form, the browser's hx-confirm question with htmx and, without it, the server's
  // confirm page (the form leaves its "confirm" value to htmx's hx-vals).
  const pattern = new RegExp(destructive);
  for (const button of document.querySelectorAll('form button, form input[type=submit]')) {
    const form = button.form;
    if (!form || (form.method || '').toLowerCase() !== 'post') continue;
    const action = new URL(form.action, location.href).pathname;
    if (!pattern.test(action) && !button.classList.contains('danger')) continue;
    if (button.closest('details') || form.querySelector('input[name=confirm], input[name=confirmed]'))
      continue;
    const asks = button.closest('[hx-confirm]');
    if (asks && /"confirm"/.test(asks.getAttribute('hx-vals') || '')) continue;
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
