// A discussion that moves: while the article page is open and visible, ask every
// FORUM_LIVE_POLL_SECONDS whether anything changed (forum/article_pages/live.py). Nothing
// changed: the server answers 304. New comments are announced in a polite live region, as a
// button that inserts them in their threads; the poll's figures are updated in place.
// Without this file the page is complete as it was loaded.
(function () {
  "use strict";

  var section, etag, since, seconds, region, button, timer = null;
  var slowdown = 1;
  var waiting = []; // new comments announced, not shown yet, oldest first

  function start() {
    section = document.getElementById("discussion");
    if (!section || !section.dataset.liveUrl || !window.fetch) return;
    etag = '"' + section.dataset.liveVersion + '"';
    since = section.dataset.liveSince;
    seconds = Math.max(1, parseInt(section.dataset.liveSeconds, 10) || 15);
    buildAnnouncement();
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        window.clearTimeout(timer);
        timer = null;
      } else if (timer === null) {
        schedule(1);
      }
    });
    schedule(seconds);
  }

  // The region exists (empty) from the start, so that assistive technologies announce what
  // is later put in it; the button in it is focusable only while it has something to show.
  function buildAnnouncement() {
    region = document.createElement("div");
    region.className = "live-news";
    region.setAttribute("role", "status");
    button = document.createElement("button");
    button.type = "button";
    button.className = "live-news-button";
    button.hidden = true;
    button.addEventListener("click", showWaiting);
    region.appendChild(button);
    var threads = section.querySelector(":scope > .comment-list, :scope > .empty");
    if (threads) threads.before(region); else section.appendChild(region);
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = document.hidden ? null : window.setTimeout(ask, delay * 1000);
  }

  function ask() {
    timer = null;
    var withFigures = document.querySelector("#sondage .poll-results") !== null;
    var url = section.dataset.liveUrl + "?depuis=" + encodeURIComponent(since) +
      (withFigures ? "&resultats=1" : "");
    // A request carrying If-None-Match bypasses the browser's cache: the 304 reaches us.
    fetch(url, { credentials: "same-origin", headers: { "If-None-Match": etag } })
      .then(function (response) {
        if (response.status === 304) return null;
        if (response.status === 404) throw new Error("gone");
        if (!response.ok) throw new Error(response.status);
        etag = response.headers.get("ETag") || etag;
        return response.json();
      })
      .then(function (news) {
        slowdown = 1;
        if (news) take(news);
        schedule(seconds);
      })
      .catch(function (error) {
        if (error.message === "gone") return;
        slowdown = Math.min(slowdown * 2, 8); // refused (429) or unreachable: ask less often
        schedule(seconds * slowdown);
      });
  }

  function take(news) {
    since = String(news.depuis);
    if (news.figures) updateFigures(news.figures);
    news.comments.forEach(function (comment) {
      var known = document.getElementById("c" + comment.id) ||
        waiting.some(function (w) { return w.id === comment.id; });
      if (!known && placeable(comment)) waiting.push(comment);
    });
    announce();
  }

  // A reply goes under its parent when the page (or the news) has it; a new thread goes
  // first, only on the page that shows the newest threads in full.
  function placeable(comment) {
    if (comment.parent === null) return section.dataset.liveTops === "first";
    return document.getElementById("c" + comment.parent) !== null ||
      waiting.some(function (w) { return w.id === comment.parent; });
  }

  function announce() {
    if (!waiting.length) return;
    var label = section.dataset[waiting.length === 1 ? "liveLabelOne" : "liveLabelMany"];
    button.textContent = label.replace("{n}", waiting.length);
    button.hidden = false;
  }

  function showWaiting() {
    var anchor = firstCommentInView();
    var before = anchor ? anchor.getBoundingClientRect().top : 0;
    var shown = waiting.map(insert).filter(Boolean);
    waiting = [];
    button.hidden = true;
    button.textContent = "";
    // What the reader was looking at stays where it was on the screen.
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
    if (shown.length) {
      var first = shown[0].querySelector("article.comment");
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
    }
  }

  function firstCommentInView() {
    var comments = section.querySelectorAll("article.comment");
    for (var i = 0; i < comments.length; i++) {
      if (comments[i].getBoundingClientRect().bottom > 0) return comments[i];
    }
    return null;
  }

  function insert(comment) {
    var template = document.createElement("template");
    template.innerHTML = comment.html.trim();
    var item = template.content.firstElementChild;
    if (!item || document.getElementById("c" + comment.id)) return null;
    item.classList.add("comment-new");
    if (comment.parent === null) {
      // Newest first, after the newsroom's picks (which open the list whatever the order).
      var list = topList();
      var firstRegular = Array.prototype.find.call(list.children, function (li) {
        return !li.querySelector(":scope > article.comment-featured");
      });
      list.insertBefore(item, firstRegular || null);
    } else {
      var parent = document.getElementById("c" + comment.parent);
      if (!parent) return null;
      repliesOf(parent.closest("li.comment-item")).appendChild(item);
      if (parent.classList.contains("comment-own")) markReplyToReader(item);
    }
    // comments.js enhances the reply, "utile" and expand controls of what is inserted.
    item.dispatchEvent(new CustomEvent("forum:comments-added", { bubbles: true }));
    return item;
  }

  function topList() {
    var list = section.querySelector(":scope > .comment-list");
    if (list) return list;
    list = document.createElement("ol");
    list.className = "comment-list";
    var empty = section.querySelector(":scope > .empty");
    if (empty) empty.replaceWith(list); else region.after(list);
    return list;
  }

  function repliesOf(item) {
    var list = item.querySelector(":scope > ol.replies");
    if (list) return list;
    list = document.createElement("ol");
    list.className = "comment-list replies";
    var more = item.querySelector(":scope > .more-replies");
    if (more) more.before(list); else item.appendChild(list);
    return list;
  }

  function markReplyToReader(item) {
    var article = item.querySelector("article.comment");
    article.classList.add("comment-reply-to-you");
    var note = document.createElement("p");
    note.className = "reply-to-you";
    note.textContent = section.dataset.liveLabelReply;
    article.querySelector(".comment-meta").after(note);
  }

  function updateFigures(figures) {
    figures.questions.forEach(function (question) {
      var block = document.querySelector('#sondage [data-question="' + question.id + '"]');
      if (!block) return;
      setText(block.querySelector(".voters"), question.voters);
      setText(block.querySelector(".headline-figure strong"), question.headline);
      question.choices.forEach(function (choice) {
        var row = block.querySelector('[data-choice="' + choice.id + '"]');
        if (!row) return;
        setText(row.querySelector(".result-figures"), choice.figures);
        var meter = row.querySelector("meter");
        if (meter) meter.value = choice.percent;
      });
    });
  }

  // Only what changed is written: the results region announces each change, not each ask.
  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  document.addEventListener("DOMContentLoaded", start);
})();
