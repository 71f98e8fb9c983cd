// Progressive enhancement of the discussion: every action also works without this file.
(function () {
  "use strict";

  // "Utile" and "M'a fait changer d'avis" toggle in place instead of reloading the page.
  function enhanceMark(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) {
        button.setAttribute("aria-pressed", data.marked ? "true" : "false");
        button.querySelector(".useful-count").textContent = "(" + data.count + ")";
        button.disabled = false;
      }).catch(function () {
        form.submit();
      });
    });
  }

  // A double click on "Publier" sends the form once (the server also deduplicates).
  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  // "Répondre" moves the comment form under the comment instead of reloading the page;
  // "Annuler la réponse" puts it back where it was, as a new comment again.
  var formHome = null;

  function enhanceReply(link) {
    link.addEventListener("click", function (event) {
      var form = document.getElementById("commenter");
      var target = document.getElementById("c" + link.dataset.reply);
      if (!form || !target) return;
      event.preventDefault();
      var title = form.querySelector(".form-title");
      if (!formHome) {
        formHome = document.createComment("commenter");
        form.before(formHome);
        form.dataset.newTitle = title.textContent;
      }
      var parent = form.querySelector("input[name=parent_id]");
      if (!parent) {
        parent = document.createElement("input");
        parent.type = "hidden";
        parent.name = "parent_id";
        form.appendChild(parent);
      }
      parent.value = link.dataset.reply;
      form.classList.add("reply-form");
      title.textContent = link.dataset.replyTitle;
      cancelControl(form).dataset.returnTo = link.dataset.reply;
      target.appendChild(form);
      form.querySelector("textarea").focus();
    });
  }

  function cancelControl(form) {
    var cancel = form.querySelector("button.cancel-reply");
    if (cancel) return cancel;
    cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary cancel-reply";
    cancel.textContent = form.dataset.cancelLabel;
    cancel.addEventListener("click", function () { cancelReply(form, cancel); });
    form.querySelector(".actions").appendChild(cancel);
    return cancel;
  }

  function cancelReply(form, cancel) {
    var link = document.querySelector('a.reply-link[data-reply="' + cancel.dataset.returnTo + '"]');
    var parent = form.querySelector("input[name=parent_id]");
    if (parent) parent.remove();
    cancel.remove();
    form.classList.remove("reply-form");
    form.querySelector(".form-title").textContent = form.dataset.newTitle;
    formHome.after(form);
    if (link) link.focus();
  }

  // "Voir les N autres réponses" shows the whole thread in place: the same page with that
  // thread whole is fetched and its item swapped in (the link works without this too).
  function enhanceExpand(link) {
    link.addEventListener("click", function (event) {
      if (!window.fetch || !window.DOMParser) return;
      var item = link.closest("li.comment-item");
      if (!item || item.querySelector("#commenter")) return;
      event.preventDefault();
      fetch(link.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("c" + link.dataset.expand);
        var freshItem = fresh && fresh.closest("li.comment-item");
        if (!freshItem) throw new Error("thread not found");
        item.replaceWith(freshItem);
        enhance(freshItem);
        var first = document.getElementById("c" + link.dataset.first);
        if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
      }).catch(function () {
        window.location.href = link.href;
      });
    });
  }

  function enhance(root) {
    root.querySelectorAll("a.reply-link[data-reply]").forEach(enhanceReply);
    root.querySelectorAll("form[data-enhance=mark]").forEach(enhanceMark);
    root.querySelectorAll("a[data-expand]").forEach(enhanceExpand);
  }

  // Comments inserted while the page is open (live.js) get the same controls.
  document.addEventListener("forum:comments-added", function (event) { enhance(event.target); });

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    document.querySelectorAll("form[data-enhance=comment]").forEach(guardDoubleSubmit);
  });
})();
