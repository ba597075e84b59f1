/* Live dashboard. The server sends, as server-sent events, only the pieces of the page
   that changed ({"parts": {key: html}}), or the whole live part when its pieces are not
   the same ones ({"full": html}); each piece carries data-key. A piece is swapped in place
   keeping what the person is doing: keyboard focus, what they are typing, an open
   «Acciones» and the chart's scroll. {"announce": text} is read out by screen readers. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  var announcer = document.getElementById("announce");
  if (!live || !status) { return; }
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function keyOf(el) { return el.getAttribute("data-key"); }
  function pieces(root) { return Array.prototype.slice.call(root.querySelectorAll("[data-key]")); }
  function find(key) {
    var all = pieces(live);
    for (var i = 0; i < all.length; i++) { if (keyOf(all[i]) === key) { return all[i]; } }
    return null;
  }
  function parse(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return holder.content;
  }

  function chartAtEnd(chart) { return chart.scrollLeft + chart.clientWidth >= chart.scrollWidth - 4; }
  function toEnd(chart) { chart.scrollLeft = chart.scrollWidth; }

  /* Replace `old` by `fresh`, carrying over what the person is doing inside it. */
  function swap(old, fresh) {
    var focusables = Array.prototype.slice.call(old.querySelectorAll(FOCUSABLE));
    var focused = focusables.indexOf(document.activeElement);
    if (focused < 0 && old === document.activeElement) { focused = -2; }
    var selection = null;
    if (focused >= 0 && "selectionStart" in document.activeElement) {
      try { selection = [document.activeElement.selectionStart, document.activeElement.selectionEnd]; } catch (e) { selection = null; }
    }
    var fields = old.querySelectorAll("input:not([type=hidden]), textarea, select");
    var newFields = fresh.querySelectorAll("input:not([type=hidden]), textarea, select");
    var openDetails = Array.prototype.map.call(old.querySelectorAll("details"), function (d) { return d.open; });
    var scroll = old.classList.contains("chart") ? { left: old.scrollLeft, end: chartAtEnd(old) } : null;
    if (fields.length === newFields.length) {
      Array.prototype.forEach.call(fields, function (field, i) {
        if (field.value !== field.defaultValue || field.tagName === "SELECT") { newFields[i].value = field.value; }
      });
    }
    Array.prototype.forEach.call(fresh.querySelectorAll("details"), function (d, i) { if (openDetails[i]) { d.open = true; } });
    old.replaceWith(fresh);
    if (scroll) { if (scroll.end) { toEnd(fresh); } else { fresh.scrollLeft = scroll.left; } }
    if (focused === -2) { fresh.focus({ preventScroll: true }); }
    if (focused >= 0) {
      var again = fresh.querySelectorAll(FOCUSABLE)[focused];
      if (again) {
        again.focus({ preventScroll: true });
        if (selection) { try { again.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not a text field */ } }
      }
    }
  }

  function applyFull(html) {
    var content = parse(html);
    var incoming = pieces(content);
    var current = pieces(live);
    var same = incoming.length === current.length && incoming.every(function (el, i) { return keyOf(el) === keyOf(current[i]); });
    if (!same) {
      // Other pieces (a crisis opened or closed): the whole part, keeping what can be kept.
      var focusKey = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-key]") : null;
      focusKey = focusKey && live.contains(focusKey) ? keyOf(focusKey) : null;
      live.replaceChildren(content);
      var chart = live.querySelector(".chart");
      if (chart) { toEnd(chart); }
      var again = focusKey ? find(focusKey) : null;
      var target = again ? again.querySelector(FOCUSABLE) : null;
      if (target) { target.focus({ preventScroll: true }); }
      return;
    }
    incoming.forEach(function (el, i) {
      if (el.outerHTML !== current[i].outerHTML && !current[i].contains(el)) { swap(current[i], el); }
    });
  }

  function applyParts(parts) {
    Object.keys(parts).forEach(function (key) {
      var old = find(key);
      var fresh = parse(parts[key]).firstElementChild;
      if (old && fresh) { swap(old, fresh); }
    });
  }

  function show(key, tone) {
    status.textContent = status.getAttribute("data-" + key);
    status.className = "live-status " + tone;
  }

  var first = live.querySelector(".chart");
  if (first) { toEnd(first); }  // the newest minutes, on a phone too
  var notice = document.getElementById("notice");
  if (notice) { notice.focus(); }
  if (!window.EventSource) { return; }
  var source = new EventSource("/panel/eventos");
  source.addEventListener("live", function (event) {
    var data = JSON.parse(event.data);
    if (typeof data.full === "string") { applyFull(data.full); }
    if (data.parts) { applyParts(data.parts); }
    if (data.announce && announcer) { announcer.textContent = data.announce; }
    show("live", "ok");
  });
  source.addEventListener("error", function () {
    // A stream that ends is reopened by the browser; a refused one (403) is not.
    if (source.readyState === EventSource.CLOSED) { show("over", "over"); } else { show("reconnecting", "wait"); }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
