/*
 * Petition Atlas — accessibility fix-ups for Dash 4 components.
 * dcc.Dropdown renders a read-only, aria-hidden "focus target" input that is still in the
 * tab order (axe: aria-hidden-focus, serious). Take it out of the tab order; the visible
 * combobox stays the keyboard's stop.
 */
(function () {
  "use strict";
  function fix(root) {
    var nodes = (root || document).querySelectorAll(
      ".dash-dropdown-focus-target[aria-hidden='true']:not([tabindex='-1'])");
    for (var i = 0; i < nodes.length; i++) { nodes[i].setAttribute("tabindex", "-1"); }
  }
  new MutationObserver(function () { fix(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { fix(document); });
})();
