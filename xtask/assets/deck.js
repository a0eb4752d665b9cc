// Slide deck: arrow keys, space, PageUp/PageDown, Home and End move; "s"
// toggles the speaker view (notes, next slide, timer); a second window on
// the same deck follows this one (they share localStorage). "?check" in the
// address makes the deck measure every slide for overflow and report it.
(function () {
  const slides = Array.from(document.querySelectorAll('.stage > .slide'));
  const key = 'deck-position:' + document.body.dataset.deck;
  let current = 0;
  let started = Date.now();

  function fit() {
    const stage = document.getElementById('stage');
    const scale = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    stage.style.transform =
      'translate(' + (-640 * scale) + 'px, ' + (-360 * scale) + 'px) scale(' + scale + ')';
  }

  function placeInPane(pane, slide, width) {
    pane.innerHTML = '';
    if (!slide) return;
    const copy = slide.cloneNode(true);
    copy.classList.remove('current');
    copy.style.transform = 'scale(' + (width / 1280) + ')';
    pane.appendChild(copy);
  }

  function show(n, fromStorage) {
    current = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach((s, i) => s.classList.toggle('current', i === current));
    history.replaceState(null, '', '#' + (current + 1));
    if (!fromStorage) {
      try { localStorage.setItem(key, String(current)); } catch (e) { /* storage may be off */ }
    }
    if (document.body.classList.contains('speaker-view')) {
      const cur = document.getElementById('sp-current');
      const next = document.getElementById('sp-next');
      placeInPane(cur, slides[current], cur.clientWidth);
      placeInPane(next, slides[current + 1], next.clientWidth);
      const notes = slides[current].querySelector('.notes');
      document.getElementById('sp-notes').innerHTML = notes ? notes.innerHTML : '<p><em>No notes.</em></p>';
      document.getElementById('sp-count').textContent = (current + 1) + ' / ' + slides.length;
    }
  }

  function tick() {
    const s = Math.floor((Date.now() - started) / 1000);
    const el = document.getElementById('sp-timer');
    if (el) el.textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown': case ' ': case 'Enter':
        show(current + 1); break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'Backspace':
        show(current - 1); break;
      case 'Home': show(0); break;
      case 'End': show(slides.length - 1); break;
      case 's': case 'S':
        document.body.classList.toggle('speaker-view');
        started = Date.now();
        show(current);
        break;
      default: return;
    }
    e.preventDefault();
  });
  window.addEventListener('storage', function (e) {
    if (e.key === key && e.newValue !== null) show(parseInt(e.newValue, 10), true);
  });
  window.addEventListener('resize', function () { fit(); show(current, true); });

  function check() {
    const problems = [];
    slides.forEach(function (s, i) {
      s.classList.add('current');
      const body = s.querySelector('.slide-body');
      const name = (i + 1) + ' "' + s.dataset.title + '"';
      if (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1) {
        problems.push('slide ' + name + ': content overflows its 16:9 frame by ' +
          Math.max(body.scrollHeight - body.clientHeight, body.scrollWidth - body.clientWidth) + 'px');
      }
      s.querySelectorAll('pre, table, img').forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
          problems.push('slide ' + name + ': a ' + el.tagName.toLowerCase() + ' would scroll');
        }
      });
      s.classList.remove('current');
    });
        // The controls, driven as a presenter would drive them.
    const press = (k) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k }));
    const at = () => slides.findIndex((s) => s.classList.contains('current'));
    show(0);
    press('ArrowRight');
    if (at() !== 1) problems.push('ArrowRight did not move to slide 2');
    press('End');
    if (at() !== slides.length - 1) problems.push('End did not move to the last slide');
    press('Home');
    press('s');
    const notes = document.getElementById('sp-notes').textContent;
    if (!document.body.classList.contains('speaker-view') || notes.trim() === '') {
      problems.push('s did not open the speaker view with notes');
    }
    if (getComputedStyle(document.getElementById('stage')).display !== 'none') {
      problems.push('the speaker view also shows the projected slide');
    }
    press('s');
    const out = document.createElement('pre');
    out.id = 'deck-check';
    out.textContent = JSON.stringify({ slides: slides.length, problems: problems });
    document.body.appendChild(out);
  }

  fit();
  const fromHash = parseInt((location.hash || '#1').slice(1), 10) - 1;
  show(isNaN(fromHash) ? 0 : fromHash);
  setInterval(tick, 1000);
  // Measure once images have loaded: they take space.
  if (location.search.indexOf('check') >= 0) window.addEventListener('load', check);
})();
