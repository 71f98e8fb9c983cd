// Progressive enhancement only: every flow works without this file.
(function () {
  "use strict";

  // Replace a section of the page with the same section of a freshly fetched page.
  function swapSection(html, id) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById(id);
    var current = document.getElementById(id);
    if (!fresh || !current) return null;
    current.replaceWith(fresh);
    enhance(fresh);
    return fresh;
  }

  function enhancePoll(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.DOMParser) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var section = swapSection(html, "sondage");
        if (!section) { form.submit(); return; }
        var heading = section.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }).catch(function () {
        form.submit();
      });
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-enhance=poll]").forEach(enhancePoll);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
