// Keyboard shortcuts for the moderation queue. Every action is a plain form that works
// without this file; the shortcuts only move focus and submit those forms.
(function () {
  "use strict";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue] > .queue-item"));
  }

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".queue-item") : null;
  }

  function focusItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    var index = list.indexOf(current());
    var next = index === -1 ? list[0] : list[Math.min(Math.max(index + step, 0), list.length - 1)];
    focusItem(next);
  }

  function submitShortcut(letter) {
    var item = current();
    if (!item) return;
    var form = item.querySelector("form[data-shortcut=" + letter + "]");
    if (!form) return;
    if (letter === "r") {
      // Rejecting needs a reason: focus it; Enter in the note field (or the button) sends.
      var reason = form.querySelector("select");
      if (reason) reason.focus();
      return;
    }
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  // "?" (key or link) opens the legend, or closes it again, and moves the focus there.
  function toggleLegend() {
    var legend = document.getElementById("raccourcis");
    if (!legend) return;
    legend.open = !legend.open;
    legend.querySelector("summary").focus();
    legend.scrollIntoView({ block: "nearest" });
  }

  // Letters typed into a field are text, not shortcuts (buttons and checkboxes are fine).
  function typing(target) {
    if (!target) return false;
    if (target.isContentEditable || /^(SELECT|TEXTAREA)$/.test(target.tagName)) return true;
    return target.tagName === "INPUT" && !/^(checkbox|radio|submit|button)$/.test(target.type);
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      a: function () { submitShortcut("a"); },
      r: function () { submitShortcut("r"); },
      f: function () { submitShortcut("f"); },
      "?": toggleLegend
    };
    var action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  // Enter on the reason list sends the rejection (a select does not submit on its own).
  function sendOnEnter(event) {
    if (event.key !== "Enter" || event.target.tagName !== "SELECT") return;
    var form = event.target.closest("form[data-shortcut=r]");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("[data-queue]")) return;
    document.addEventListener("keydown", onKey);
    document.addEventListener("keydown", sendOnEnter);
    var link = document.querySelector(".shortcuts-link");
    if (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        toggleLegend();
      });
    }
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    focusItem(target && target.classList.contains("queue-item") ? target : items()[0]);
  });
})();
