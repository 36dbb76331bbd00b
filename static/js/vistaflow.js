// VistaFlow's own few lines of script (the pages work without them): "Copy" buttons.
// A button with data-copy="ID" copies the text of the element with that id, then says so in its
// data-copied label; where the clipboard is not available it selects the text instead.
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
    var select = function () {
      if (source.select) source.select();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, select);
    } else {
      select();
    }
  });
})();
