// Team links to a block: clicking "#turn-3-block-2" moves there and copies the page's URL
// with that anchor, ready to paste to a teammate.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("[data-copy-link]");
    if (!link || !navigator.clipboard) return;
    var url = location.origin + location.pathname + location.search + "#" + link.dataset.copyLink;
    navigator.clipboard.writeText(url).then(function () {
      link.dataset.copied = "copied";
      setTimeout(function () { delete link.dataset.copied; }, 1200);
    }, function () {});
  });
})();
