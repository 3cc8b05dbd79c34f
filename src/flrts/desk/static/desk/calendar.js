/* The task calendar (EventCalendar). The server sends wall-clock times in the reader's zone
   and the calendar runs in 'UTC', so the browser's zone never moves them; a drop is sent back
   the same way and the server decides (role, conflicts). A refused drop goes back. */
(function () {
  "use strict";

  var page, toast, ec;

  function wall(date, allDay) {
    var iso = date.toISOString();
    return allDay ? iso.slice(0, 10) : iso.slice(0, 19);
  }

  function say(text, kind) {
    toast.className = "kb-toast kb-" + kind;
    toast.textContent = text;
    toast.hidden = false;
  }

  function params() {
    var out = {};
    new URLSearchParams(page.getAttribute("data-query")).forEach(function (v, k) { out[k] = v; });
    return out;
  }

  function drop(info) {
    var ev = info.event;
    var props = ev.extendedProps;
    var fields = {
      kind: props.kind,
      name: props.name,
      start: wall(ev.start, ev.allDay),
      was: wall(info.oldEvent.start, info.oldEvent.allDay),
      all_day: ev.allDay ? "1" : "0",
    };
    var csrf = page.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(page.getAttribute("data-reschedule-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Frappe-CSRF-Token": csrf, Accept: "application/json" },
      body: new URLSearchParams(fields),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; },
        function () { return { ok: false, body: { error: "The server answered " + response.status + "." } }; });
    }, function () {
      return { ok: false, body: { error: "The server could not be reached; nothing changed." } };
    }).then(function (answer) {
      if (!answer.ok) {
        info.revert();
        say(answer.body.error || "Refused.", "error");
        return;
      }
      say(props.name + " rescheduled to " + fields.start.replace("T", " ").slice(0, 16) + ".", "ok");
      ec.refetchEvents();
    });
  }

  function start() {
    page = document.getElementById("calendar-page");
    if (!page) return;
    toast = document.getElementById("kb-toast");
    var options = {
      view: page.getAttribute("data-view"),
      timeZone: "UTC",
      firstDay: 1,
      height: "auto",
      scrollTime: "07:00:00",
      headerToolbar: { start: "prev,next today", center: "title", end: "dayGridMonth,timeGridWeek,listWeek" },
      buttonText: { today: "Today", dayGridMonth: "Month", timeGridWeek: "Week", listWeek: "List" },
      eventSources: [{ url: page.getAttribute("data-events-url"), extraParams: params }],
      // The server caps a day's tasks by the range asked for (4 in a month, all in a day):
      // a narrower view must ask again, not reuse the month's answer.
      lazyFetching: false,
      editable: false,
      eventStartEditable: true,
      eventDurationEditable: false,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventDrop: drop,
      eventClick: function (info) {
        var props = info.event.extendedProps;
        if (props.kind === "more") {
          ec.setOption("view", "timeGridDay");
          ec.setOption("date", props.day);
        } else if (props.url) {
          window.location.href = props.url;
        }
      },
      eventDidMount: function (info) {
        var props = info.event.extendedProps;
        info.el.setAttribute("data-kind", props.kind || "");
        if (props.name) info.el.setAttribute("data-name", props.name);
        if (props.assignee) info.el.title = info.event.title + " · " + props.assignee;
      },
    };
    if (page.getAttribute("data-date")) options.date = page.getAttribute("data-date");
    ec = window.EventCalendar.create(document.getElementById("calendar"), options);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
