/* Petition Atlas — clientside functions of the Backlog and Agenda pages (no inline script:
 * the Content-Security-Policy allows scripts from here only). */
(function () {
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    backlog: {
      /* The agenda's print button: the browser's print dialog (assets/backlog.css holds the
       * print stylesheet). */
      printPage: function (n) {
        if (n) { window.print(); }
        return "";
      }
    }
  });
})();
