/* crisisbot emergency banner. Embed with one tag, anywhere in the page:
     <script src="https://BOT-ADDRESS/banner.js" async></script>
   While a crisis is open it shows the public message at the top of the page; otherwise
   it shows nothing. It asks banner.json at the same address it was loaded from. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var source = new URL("banner.json", script.src).href;
  var every = parseInt(script.getAttribute("data-refresh") || "60", 10) * 1000;
  var id = "crisisbot-banner";

  function remove() {
    var old = document.getElementById(id);
    if (old) { old.parentNode.removeChild(old); }
  }

  function show(message) {
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:relative;z-index:2147483647;margin:0;padding:12px 16px;" +
        "background:#c53030;color:#fff;font:600 16px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
        "text-align:center;box-shadow:0 2px 6px rgba(0,0,0,.25)";
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = "⚠️ " + message;  // text, never HTML
  }

  /* Only a successful answer that says so takes the banner down: an error (a proxy's 502
     during the very outage), a timeout or an answer that is not the bot's keeps the last
     known banner up until the next check. */
  function check() {
    var timer = null;
    var answer = fetch(source, { credentials: "omit", cache: "no-cache" })
      .then(function (response) {
        if (!response.ok) { throw new Error("banner.json answered " + response.status); }
        return response.json();
      });
    var late = new Promise(function (resolve, reject) {
      timer = setTimeout(function () { reject(new Error("banner.json timed out")); }, 15000);
    });
    Promise.race([answer, late])
      .then(function (state) {
        if (!state || typeof state.active !== "boolean") { return; }
        if (state.active && state.message) { show(String(state.message)); } else if (!state.active) { remove(); }
      })
      .catch(function () { /* keep whatever is shown; try again later */ })
      .then(function () { clearTimeout(timer); });
  }

  function start() {
    check();
    if (every > 0) { setInterval(check, Math.max(every, 10000)); }
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
