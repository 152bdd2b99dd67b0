/*
 * Petition Atlas — wall screen (/wall): panel rotation and clock as Dash clientside
 * callbacks, and the dark-theme styles of its map layers (dash-leaflet, referenced through
 * dash_extensions.javascript.Namespace("dashExtensions", "wall")). Hand-written.
 *
 * Nothing here keeps state between calls: the rotation is derived from the interval's
 * counter and the panel order sent by the server, the clock from the time of day. The page
 * can run for days without growing.
 */
(function () {
  "use strict";

  var PANELS = ["map", "kpi", "backlog", "stability", "warnings"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function partsIn(tz) {
    /* Year, month, day, hours, minutes, seconds and weekday in the office's time zone. */
    var now = new Date();
    try {
      var f = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz || "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, weekday: "short"
      });
      var out = {};
      f.formatToParts(now).forEach(function (p) { out[p.type] = p.value; });
      if (out.hour === "24") { out.hour = "00"; }
      return out;
    } catch (e) {
      return {
        year: String(now.getFullYear()), month: pad(now.getMonth() + 1), day: pad(now.getDate()),
        hour: pad(now.getHours()), minute: pad(now.getMinutes()), second: pad(now.getSeconds()),
        weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][now.getDay()]
      };
    }
  }

  var WEEKDAYS_ZH = { Mon: "星期一", Tue: "星期二", Wed: "星期三", Thu: "星期四", Fri: "星期五",
                      Sat: "星期六", Sun: "星期日" };

  var wall = {
    /* The rotation: panel n mod the order's length, or the held panel. */
    rotate: function (n, order, config) {
      var hold = config && config.hold;
      var list = (order && order.length) ? order : PANELS;
      var name = hold || list[(n || 0) % list.length];
      if (PANELS.indexOf(name) < 0) { name = PANELS[0]; }
      return "wall-root show-" + name + (hold ? " held" : "");
    },

    clock: function (n, config) {
      var p = partsIn(config && config.tz);
      var day = p.year + "-" + p.month + "-" + p.day;
      var weekday = (config && config.lang === "en") ? p.weekday : (WEEKDAYS_ZH[p.weekday] || "");
      return day + " " + weekday + " " + p.hour + ":" + p.minute + ":" + p.second;
    },

    /* Map styles (dash-leaflet calls style(feature, context)). */
    hotOutline: function (feature, context) {
      var h = (context && context.hideout) || {};
      var cls = (h.classes || {})[feature.properties.code] || "";
      if (cls.indexOf("hot") === 0) {
        return { stroke: true, color: "#ff4d4f", weight: 4, opacity: 1, fill: false };
      }
      if (cls.indexOf("cold") === 0) {
        return { stroke: true, color: "#7dd3fc", weight: 3, opacity: 0.95, dashArray: "8 6",
                 fill: false };
      }
      return { stroke: false, fill: false };
    },

    countyStyle: function () {
      return { color: "#cfe8ff", weight: 2.2, opacity: 0.9, fill: false };
    },

    zoneStyle: function () {
      return { color: "#fbbf24", weight: 3, opacity: 1, dashArray: "10 6",
               fillColor: "#fbbf24", fillOpacity: 0.12 };
    }
  };

  window.dashExtensions = Object.assign({}, window.dashExtensions, { wall: wall });
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    wall: { rotate: wall.rotate, clock: wall.clock }
  });
})();
