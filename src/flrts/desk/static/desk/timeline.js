/* The comment box's @mention picker: type "@" and a few letters, pick a person with the mouse,
   Enter or Tab; the full name is written into the comment ("@Taylor Reed"), which the server
   reads back into a mention. Delegated on the document: htmx redraws the timeline panel. */
(function () {
  "use strict";

  function people() {
    var node = document.getElementById("tl-people");
    return node ? JSON.parse(node.textContent) : [];
  }

  function query(input) {
    var before = input.value.slice(0, input.selectionStart);
    var match = /(^|[^\w@])@([^@\n]{0,30})$/.exec(before);
    return match ? { text: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function close(list) {
    list.hidden = true;
    list.innerHTML = "";
  }

  function choose(input, list, li) {
    var q = query(input);
    if (!q) return close(list);
    var name = li.getAttribute("data-name");
    var after = input.value.slice(input.selectionStart);
    input.value = input.value.slice(0, q.start) + "@" + name + " " + after;
    var caret = q.start + name.length + 2;
    input.setSelectionRange(caret, caret);
    close(list);
    input.focus();
  }

  function show(input, list) {
    var q = query(input);
    if (!q) return close(list);
    var needle = q.text.toLowerCase();
    var found = people().filter(function (p) {
      return p.name.toLowerCase().indexOf(needle) !== -1 || p.email.toLowerCase().indexOf(needle) === 0;
    }).slice(0, 8);
    if (!found.length) return close(list);
    list.innerHTML = "";
    found.forEach(function (p, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("data-name", p.name);
      li.className = i === 0 ? "active" : "";
      li.textContent = p.name + " · " + p.email;
      list.appendChild(li);
    });
    list.hidden = false;
  }

  document.addEventListener("input", function (ev) {
    if (ev.target.id !== "tl-comment-input") return;
    show(ev.target, document.getElementById("tl-suggest"));
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.target.id !== "tl-comment-input") return;
    var list = document.getElementById("tl-suggest");
    if (!list || list.hidden) return;
    var items = Array.prototype.slice.call(list.children);
    var at = items.findIndex(function (li) { return li.className === "active"; });
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      items[at].className = "";
      at = (at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[at].className = "active";
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      ev.preventDefault();
      choose(ev.target, list, items[at]);
    } else if (ev.key === "Escape") {
      close(list);
    }
  });

  document.addEventListener("mousedown", function (ev) {
    var li = ev.target.closest && ev.target.closest("#tl-suggest li");
    if (!li) return;
    ev.preventDefault();  // keep the focus in the textarea
    choose(document.getElementById("tl-comment-input"), document.getElementById("tl-suggest"), li);
  });
})();
