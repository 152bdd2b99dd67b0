/*
 * Petition Atlas — the Stability page's map layer (dash-leaflet, through
 * dash_extensions.javascript.Namespace("dashExtensions", "stability")): ledger disputes as
 * points coloured by risk, each with a popup of the dispute (never a person). Hand-written.
 */
(function () {
  "use strict";

  var RISK = { high: "#c0392b", medium: "#d68910", low: "#1f5fa8" };

  function esc(value) {
    return String(value === undefined || value === null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  var stability = {
    ledgerPoint: function (feature, latlng) {
      var p = feature.properties || {};
      var late = p.days_left !== null && p.days_left !== undefined && p.days_left < 0;
      return L.circleMarker(latlng, {
        radius: 5 + Math.min(9, Math.sqrt(p.people || 0)), color: late ? "#111827" : "#ffffff",
        weight: late ? 2.5 : 1.2, fillColor: RISK[p.risk] || "#6b7280", fillOpacity: 0.9
      });
    },

    ledgerEach: function (feature, layer, context) {
      var p = feature.properties || {};
      var l = (context && context.hideout && context.hideout.labels) || {};
      var risk = (l.risk || {})[p.risk] || p.risk;
      var html = "<strong>" + esc(p.title) + "</strong><br>" + esc(p.no) + " · " +
        esc(p.town || "") + "<br>" + esc(risk) + " · " + esc(l.people || "") + " " +
        esc(p.people) + "<br>" + esc(l.due || "") + " " + esc(p.due || "—");
      layer.bindPopup(html);
      layer.bindTooltip(esc(p.title), { direction: "top", className: "atlas-tip" });
    }
  };

  window.dashExtensions = Object.assign({}, window.dashExtensions, { stability: stability });
})();
