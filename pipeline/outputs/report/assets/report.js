(function () {
  "use strict";
  function flash(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.scrollIntoView({block: "center", inline: "nearest"});
    var parts = document.querySelectorAll("mark[data-ev]");
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p.getAttribute("data-ev") !== id) { continue; }
      p.classList.remove("flash");
      void p.offsetWidth;
      p.classList.add("flash");
    }
  }
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("ev-") === 0) { flash(id); }
  }
  window.addEventListener("hashchange", fromHash);
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a") : null;
    if (!a) { return; }
    var href = a.getAttribute("href");
    if (href && href === location.hash) { e.preventDefault(); fromHash(); }
  });
  if (location.hash) { fromHash(); }
})();
