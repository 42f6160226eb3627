// Every page: the colour theme the user chose (light, dark, or the system's), applied before
// the first paint and remembered in this browser; and the rail's menu button on narrow screens.
(function () {
  "use strict";
  var KEY = "playground-theme";
  var ORDER = ["system", "light", "dark"];
  var root = document.documentElement;
  root.classList.add("js");  // narrow screens fold the rail into a menu only when it can open

  function stored() {
    try { return localStorage.getItem(KEY) || "system"; } catch (e) { return "system"; }
  }
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  // The page's colours follow data-theme: the choice, or the system's setting for "system".
  function apply(theme) {
    if (theme !== "light" && theme !== "dark") theme = system && system.matches ? "dark" : "light";
    root.dataset.theme = theme;
  }
  apply(stored());
  if (system && system.addEventListener) system.addEventListener("change", function () { apply(stored()); });

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-theme-toggle]");
    if (toggle) {
      var label = function (theme) { toggle.textContent = "Theme: " + theme; };
      label(stored());
      toggle.addEventListener("click", function () {
        var next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length];
        try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
        apply(next);
        label(next);
      });
    }
    var menu = document.querySelector("[data-rail-toggle]");
    if (menu) {
      menu.addEventListener("click", function () {
        var rail = menu.closest(".rail");
        var open = rail.classList.toggle("open");
        menu.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  });
})();
