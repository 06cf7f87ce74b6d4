// Slide decks of the book (tools/slides.py inlines this file): one slide at a time, keyboard, buttons and swipe.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var counter = document.querySelector(".counter"), bar = document.querySelector(".progress");
  var current = 0;
  function show(i, focus) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach(function (s, k) {
      s.classList.toggle("current", k === current);
      s.setAttribute("aria-hidden", k === current ? "false" : "true");
    });
    counter.textContent = (current + 1) + " / " + slides.length;
    bar.style.width = (100 * (current + 1) / slides.length) + "%";
    slides[current].scrollTop = 0;
    fitMaps(slides[current]);
    if (location.hash !== "#" + (current + 1)) history.replaceState(null, "", "#" + (current + 1));
    if (focus) slides[current].focus({preventScroll: true});
  }
  function fitMaps(slide) {  // a map takes the height left on screen under the text above it
    var barH = document.querySelector(".bar").offsetHeight;
    Array.prototype.forEach.call(slide.querySelectorAll("iframe"), function (f) {
      var top = f.getBoundingClientRect().top - slide.getBoundingClientRect().top;
      f.style.setProperty("height", Math.max(260, window.innerHeight - top - barH - 12) + "px", "important");
    });
  }
  function go(d) { show(current + d, true); }
  function atEdge(down) {  // Up/Down scroll a long slide first, then move to the next or previous one
    var s = slides[current];
    return down ? s.scrollTop + s.clientHeight >= s.scrollHeight - 2 : s.scrollTop <= 0;
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    if (e.altKey || e.ctrlKey || e.metaKey || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA"
        || (t && t.isContentEditable)) return;
    var k = e.key, move = 0;
    if (k === "ArrowRight" || k === "PageDown" || (k === " " && !e.shiftKey)) move = 1;
    else if (k === "ArrowLeft" || k === "PageUp" || (k === " " && e.shiftKey)) move = -1;
    else if (k === "ArrowDown" && atEdge(true)) move = 1;
    else if (k === "ArrowUp" && atEdge(false)) move = -1;
    else if (k === "Home") { e.preventDefault(); show(0, true); return; }
    else if (k === "End") { e.preventDefault(); show(slides.length - 1, true); return; }
    if (move && (tag !== "BUTTON" || k !== " ")) { e.preventDefault(); go(move); }
  });
  document.querySelector(".prev").addEventListener("click", function () { go(-1); });
  document.querySelector(".next").addEventListener("click", function () { go(1); });
  var x0 = null, y0 = 0;
  function scrollsSideways(el) {
    for (; el && el !== document.body; el = el.parentElement)
      if (el.scrollWidth > el.clientWidth + 2 && getComputedStyle(el).overflowX !== "visible") return true;
    return false;
  }
  document.addEventListener("touchstart", function (e) {
    var p = e.changedTouches[0];
    x0 = scrollsSideways(e.target) ? null : p.clientX; y0 = p.clientY;
  }, {passive: true});
  document.addEventListener("touchend", function (e) {
    if (x0 === null) return;
    var p = e.changedTouches[0], dx = p.clientX - x0, dy = p.clientY - y0;
    if (Math.abs(dx) > 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) go(dx < 0 ? 1 : -1);
    x0 = null;
  }, {passive: true});
  window.addEventListener("resize", function () { slides.forEach(fitMaps); });
  window.addEventListener("beforeprint", function () {  // the page width changes for paper: let each map redraw
    Array.prototype.forEach.call(document.querySelectorAll(".slide iframe"), function (f) {
      try { f.contentWindow.dispatchEvent(new Event("resize")); } catch (e) { /* a frame of another origin */ }
    });
  });
  window.addEventListener("afterprint", function () { slides.forEach(fitMaps); });
  window.addEventListener("hashchange", function () { show(parseInt(location.hash.slice(1), 10) - 1 || 0); });
  slides.forEach(fitMaps);
  show(parseInt(location.hash.slice(1), 10) - 1 || 0);
})();
