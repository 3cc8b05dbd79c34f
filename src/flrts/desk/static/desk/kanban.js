/* The Kanban: drag a card to another column to change the task's status. The server decides
   (role, task rules); a refused move puts the card back where it was and says why. A move that
   went through can be undone from the message that confirms it. */
(function () {
  "use strict";

  var page, toast, moveUrl, csrf;

  function post(fields) {
    return fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Frappe-CSRF-Token": csrf, Accept: "application/json" },
      body: new URLSearchParams(fields),
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      }, function () {
        return { ok: false, body: { error: "The server answered " + response.status + "." } };
      });
    }, function () {
      return { ok: false, body: { error: "The server could not be reached; nothing changed." } };
    });
  }

  function list(status) {
    return page.querySelector('.kb-cards[data-status="' + status + '"]');
  }

  function bump(status, delta) {
    var el = page.querySelector('.kb-column[data-status="' + status + '"] .kb-count');
    var n = parseInt(el.getAttribute("data-count"), 10) + delta;
    el.setAttribute("data-count", n);
    el.textContent = n;
  }

  function say(text, kind, button) {
    toast.className = "kb-toast kb-" + kind;
    toast.textContent = text;
    if (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button kb-toast-action";
      b.textContent = button.label;
      b.addEventListener("click", function () { b.disabled = true; button.run(); });
      toast.appendChild(document.createTextNode(" "));
      toast.appendChild(b);
    }
    toast.hidden = false;
  }

  function putBack(card, from, next) {
    from.insertBefore(card, next && next.parentNode === from ? next : from.firstChild);
  }

  function moved(card, from, to) {
    card.setAttribute("data-status", to);
    bump(from, -1);
    bump(to, +1);
  }

  function send(card, from, to, force, home) {
    var name = card.getAttribute("data-name");
    var fields = { task: name, from: from, to: to };
    if (force) fields.force = "1";
    return post(fields).then(function (answer) {
      if (!answer.ok) {
        putBack(card, list(from), home);
        var offer = answer.body.can_force && to === "Completed" ? {
          label: "Complete it and its open sub-tasks",
          run: function () {
            list(to).insertBefore(card, list(to).firstChild);
            send(card, from, to, true, home);
          },
        } : null;
        say(answer.body.error || "Refused.", "error", offer);
        return;
      }
      moved(card, from, to);
      say(name + " moved to " + to + ".", "ok", {
        label: "Undo",
        run: function () {
          var back = list(from);
          back.insertBefore(card, home && home.parentNode === back ? home : back.firstChild);
          post({ task: name, from: to, to: from }).then(function (undo) {
            if (!undo.ok) {
              list(to).insertBefore(card, list(to).firstChild);
              say(undo.body.error || "Could not undo.", "error");
              return;
            }
            moved(card, to, from);
            say(name + " is back in " + from + ".", "ok");
          });
        },
      });
    });
  }

  function start() {
    page = document.getElementById("kanban-page");
    if (!page) return;
    toast = document.getElementById("kb-toast");
    moveUrl = page.getAttribute("data-move-url");
    csrf = page.querySelector("input[name=csrfmiddlewaretoken]").value;
    page.querySelectorAll(".kb-cards").forEach(function (el) {
      window.Sortable.create(el, {
        group: { name: "kanban", pull: true, put: el.getAttribute("data-drop") === "1" },
        draggable: ".kb-movable",
        sort: false,
        animation: 120,
        onStart: function (evt) { evt.item._home = evt.item.nextElementSibling; },
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          var from = evt.from.getAttribute("data-status");
          var to = evt.to.getAttribute("data-status");
          send(evt.item, from, to, false, evt.item._home);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
