/* Live dashboard: the server sends the live part of the page, already rendered, as
   server-sent events whenever something happens (and every half minute); no reload. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || !status || !window.EventSource) { return; }
  function show(key, tone) {
    status.textContent = status.getAttribute("data-" + key);
    status.className = "live-status " + tone;
  }
  var source = new EventSource("/panel/eventos");
  source.addEventListener("live", function (event) {
    live.innerHTML = event.data;
    show("live", "ok");
  });
  source.addEventListener("error", function () {
    // A stream that ends is reopened by the browser; a refused one (403) is not.
    if (source.readyState === EventSource.CLOSED) { show("over", "over"); } else { show("reconnecting", "wait"); }
  });
})();
