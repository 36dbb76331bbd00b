// VistaFlow's own few lines of script (the pages work without them): "Copy" buttons.
// A button with data-copy="ID" copies the text of the element with that id, then says so in its
// data-copied label.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    var done = function () {
      var label = button.getAttribute("data-copied");
      if (label) {
        var original = button.textContent;
        button.textContent = label;
        button.setAttribute("data-state", "copied");
        setTimeout(function () { button.textContent = original; button.removeAttribute("data-state"); }, 2000);
      }
    };
    // Without the asynchronous clipboard (a page served over plain http, a refused permission), copy
    // from a hidden text area, the older way.
    var fallback = function () {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      document.body.removeChild(area);
      if (copied) done();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
