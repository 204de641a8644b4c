// lakin-nav.js: the HTML report's contents sidebar marks the section being read and keeps it in view.
// Inlined into the report by lakin.render (interactive_html); the report reads no file and no network.
(function () {
  'use strict';
  var toc = document.getElementById('TOC');
  if (!toc) { return; }
  var links = Array.prototype.slice.call(toc.querySelectorAll('a[href^="#"]'));
  var targets = links.map(function (a) {
    return document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
  });
  var current = null;
  var pending = false;

  function mark(link) {
    toc.querySelectorAll('a.active, a.active-parent').forEach(function (a) {
      a.classList.remove('active', 'active-parent');
      a.removeAttribute('aria-current');
    });
    if (!link) { return; }
    link.classList.add('active');
    link.setAttribute('aria-current', 'location');
    for (var li = link.parentElement.parentElement.closest('li'); li; li = li.parentElement.closest('li')) {
      var parent = li.querySelector(':scope > a');
      if (parent) { parent.classList.add('active-parent'); }
    }
    if (toc.scrollHeight > toc.clientHeight) {  // the sidebar scrolls itself: keep the mark visible
      var box = toc.getBoundingClientRect();
      var r = link.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) {
        toc.scrollTop += r.top - box.top - box.height / 3;
      }
    }
  }

  function update() {
    pending = false;
    // the last section whose heading passed the top of the window; at the end of the page, the last one shown
    var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    var edge = atEnd && window.scrollY > 0 ? window.innerHeight - 48 : 96;
    var found = -1;
    for (var i = 0; i < targets.length; i++) {
      if (targets[i] && targets[i].getBoundingClientRect().top <= edge) { found = i; }
    }
    var link = found >= 0 ? links[found] : null;
    if (link !== current) {
      current = link;
      mark(link);
    }
  }

  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(update);
    }
  }
  window.addEventListener('scroll', schedule, { passive: true });
  // charts are drawn after the page loaded and move the headings: mark again when the layout changes
  if (window.ResizeObserver) { new ResizeObserver(schedule).observe(document.body); }
  update();
})();
