/* The journal grid: keyboard-first entry, each change saved without a reload.
 *
 * Progressive enhancement: without this script the grid is a plain form posting to the same
 * endpoint. With it, changed cells are batched (short debounce) into one JSON POST; the answer
 * says, per cell, what was saved or why it was refused (JRN-1, JRN-3, JRN-5).
 * Each cell sends the value last known stored (`was`, input.dataset.saved): a cell somebody else
 * changed meanwhile comes back as a conflict with the value stored now, which the cell then shows
 * (docs/architecture.md §4). The same `was` makes sending a save again harmless, so a save that
 * failed (no connection, a 5xx) is retried with back-off; the typed value stays in the cell.
 * No framework, no inline code: everything comes from data- attributes of the page.
 */
(function () {
  "use strict";

  var form = document.getElementById("journal-grid-form");
  var table = document.getElementById("journal-grid");
  if (!form || !table || !window.fetch) return;
  document.documentElement.classList.add("js");

  var canWrite = form.dataset.canWrite === "1";
  var saveUrl = form.dataset.saveUrl;
  var cellUrl = form.dataset.cellUrl;
  var period = form.dataset.period || null;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusEl = document.getElementById("grid-status");
  var detailButton = document.getElementById("cell-detail-button");
  var lessonPanel = document.getElementById("lesson-panel");
  var cellPanel = document.getElementById("cell-panel");
  // Messages come translated from the page (json_script), like every other string of the UI.
  var T = JSON.parse(document.getElementById("grid-messages").textContent);

  function fmt(template, value) {
    return template.replace("%s", value);
  }

  var TYPING_DELAY = 700; // ms after the last keystroke in a cell
  var MOVE_DELAY = 250; // ms after leaving a changed cell: cells typed in a row go together
  // A failed save is sent again after these pauses (ms); then the teacher is told it failed and
  // it waits for her next change or the «Сохранить» button.
  var RETRY_DELAYS = [1000, 2000, 4000, 8000];

  // ------------------------------------------------------------------------------------------
  // The matrix of cells

  var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (tr) {
    return tr.dataset.student;
  });
  var matrix = rows.map(function (tr, r) {
    tr.dataset.row = r;
    var cells = [];
    tr.querySelectorAll("td[data-col]").forEach(function (td) {
      cells[Number(td.dataset.col)] = td;
    });
    return cells;
  });
  var ncols = matrix.reduce(function (n, cells) {
    return Math.max(n, cells.length);
  }, 0);

  function inputOf(td) {
    return td ? td.querySelector("input") : null;
  }

  function navigable(td) {
    if (!td) return false;
    return canWrite ? !!inputOf(td) : true;
  }

  if (!canWrite) {
    // Read-only: cells still take the focus, so the keyboard can move and open details.
    var first = true;
    matrix.forEach(function (cells) {
      cells.forEach(function (td) {
        if (!td) return;
        td.tabIndex = first ? 0 : -1;
        first = false;
      });
    });
  }

  function focusCell(td) {
    var input = inputOf(td);
    if (canWrite && input) {
      input.focus();
      input.select();
    } else if (!canWrite) {
      table.querySelectorAll("td[tabindex='0']").forEach(function (t) {
        t.tabIndex = -1;
      });
      td.tabIndex = 0;
      td.focus();
    }
    td.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /* Move from td by (dr, dc) to the next cell that takes input. With wrap, moving past the end
     of a row continues on the next one (Tab). Returns false at the edge of the grid. */
  function move(td, dr, dc, wrap) {
    var r = Number(td.parentElement.dataset.row);
    var c = Number(td.dataset.col);
    for (;;) {
      if (dc) {
        c += dc;
        if (c < 0 || c >= ncols) {
          if (!wrap) return false;
          r += dc;
          c = dc > 0 ? 0 : ncols - 1;
        }
      } else {
        r += dr;
      }
      if (r < 0 || r >= matrix.length) return false;
      var next = matrix[r][c];
      if (navigable(next)) {
        focusCell(next);
        return true;
      }
    }
  }

  function labelOf(td) {
    var input = inputOf(td);
    if (input) return input.getAttribute("aria-label");
    var name = td.parentElement.querySelector(".col-name");
    return name ? name.textContent.trim() : "";
  }

  // ------------------------------------------------------------------------------------------
  // Cell state and messages

  function norm(text) {
    return String(text || "").trim().replace(/\s+/g, " ");
  }

  // The colours of 5, 4, 3, 2 mean those marks of the 5-point system only (JRN-4): a «3» of a
  // 10-point journal or a «25» of a 100-point one is not coloured as one; period marks are
  // always of the 5-point scale (JRN-7).
  var fivePoint = (form.dataset.grading || "five") === "five";

  function markClass(value, td) {
    var v = norm(value);
    if (/^н$/i.test(v)) return "absent";
    var five = fivePoint || !!(td && td.dataset.period);
    var m = five ? /^([2-5])(\s|$)/.exec(v) : null;
    return m ? "mark mark-" + m[1] : "";
  }

  var clearTimers = new WeakMap();

  function setState(td, state, message) {
    td.classList.remove("dirty", "saving", "saved", "error", "conflict", "unsent");
    var input = inputOf(td);
    clearTimeout(clearTimers.get(td));
    if (state) state.split(" ").forEach(function (c) { td.classList.add(c); });
    if (!input) return;
    if (state === "conflict") {
      input.removeAttribute("aria-invalid");
      input.title = message || "";
    } else if (state && state.indexOf("error") === 0) {
      input.setAttribute("aria-invalid", "true");
      input.title = message || "";
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("title");
    }
    if (state === "saved") {
      clearTimers.set(
        td,
        setTimeout(function () {
          td.classList.remove("saved");
        }, 1500)
      );
    }
  }

  function announce(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  // ------------------------------------------------------------------------------------------
  // Saving: pending changes are batched into one POST; one request in flight at a time.

  var pending = new Map(); // input name → td
  var timer = null;
  var inFlight = null;
  var retryTimer = null;
  var failures = 0; // failed attempts in a row of the changes waiting to be sent

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  function changed(td) {
    var input = inputOf(td);
    if (!input) return;
    // «n» / «y» typed on a Latin layout mean «н» (the server accepts them too).
    if (/[nyNY]/.test(input.value) && td.dataset.lesson) {
      input.value = input.value.replace(/[nyNY]/g, "н");
    }
    if (norm(input.value) === norm(input.dataset.saved) && !td.classList.contains("error")) {
      pending.delete(input.name);
      setState(td, null);
      return;
    }
    pending.set(input.name, td);
    setState(td, "dirty");
    failures = 0; // a new change: sending starts afresh, with new retries
    schedule(TYPING_DELAY);
  }

  /* A save that may succeed when sent again: no connection, or the server failed (5xx). */
  function transient(error) {
    return !error.status || error.status >= 500;
  }

  function post(payload) {
    return fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
        "X-Requested-With": "fetch",
      },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (response.ok && data) return data;
          var error = new Error((data && data.error) || httpMessage(response.status));
          error.status = response.status;
          throw error;
        });
    });
  }

  function httpMessage(status) {
    if (status === 403) return T.forbidden;
    if (status === 404) return T.notFound;
    if (status === 400) return T.badRequest;
    return fmt(T.serverError, status);
  }

  function flush() {
    clearTimeout(timer);
    clearTimeout(retryTimer);
    if (inFlight || !pending.size) return;
    var batch = [];
    var payload = { period: period, cells: [], period_marks: [] };
    pending.forEach(function (td) {
      var input = inputOf(td);
      var sent = input.value;
      var was = input.dataset.saved || "";
      if (td.dataset.period) {
        payload.period_marks.push({ period: td.dataset.period, student: td.dataset.student, value: sent, was: was });
      } else {
        payload.cells.push({ lesson: td.dataset.lesson, student: td.dataset.student, value: sent, was: was });
      }
      batch.push({ td: td, input: input, sent: sent });
      setState(td, "saving");
    });
    pending.clear();
    announce(T.saving);
    var retryLater = false;
    inFlight = post(payload)
      .then(function (data) {
        retryLater = applyResult(batch, data);
      })
      .catch(function (error) {
        if (!transient(error)) {
          // Refused as a whole (403, 404, 400): sending it again would not help.
          batch.forEach(function (b) {
            if (b.input.value === b.sent) setState(b.td, "error", error.message);
          });
          announce(error.message, true);
          return;
        }
        // Kept, still pending: the same request sent again either applies or finds it stored.
        batch.forEach(function (b) {
          if (!pending.has(b.input.name)) pending.set(b.input.name, b.td);
        });
        retryLater = error.status ? fmt(T.serverRetry, error.status) : T.offline;
      })
      .then(function () {
        inFlight = null;
        if (retryLater) {
          failures += 1;
          if (failures <= RETRY_DELAYS.length) {
            pending.forEach(function (td) {
              setState(td, "dirty");
            });
            announce(retryLater, true);
            retryTimer = setTimeout(flush, RETRY_DELAYS[failures - 1]);
          } else {
            // Told plainly; the typed values stay, pending, for the next change or «Сохранить».
            pending.forEach(function (td) {
              setState(td, "error unsent", T.failedCell);
            });
            announce(T.failed, true);
          }
          return;
        }
        failures = 0;
        if (pending.size) schedule(MOVE_DELAY);
      });
  }

  function applyResult(batch, data) {
    var results = {};
    (data.cells || []).forEach(function (r) {
      results["c-" + r.lesson + "-" + r.student] = r;
    });
    (data.period_marks || []).forEach(function (r) {
      results["p-" + r.period + "-" + r.student] = r;
    });
    var saved = 0;
    var errors = [];
    var conflicts = 0;
    var retry = false;
    batch.forEach(function (b) {
      var r = results[b.input.name];
      if (!r) return;
      // What is stored now (null: unknown — the item was not found or the save did not run).
      if (r.value !== null && r.value !== undefined) b.input.dataset.saved = r.value;
      var current = b.input.value === b.sent; // not typed over since it was sent
      if (r.ok) {
        saved += 1;
        if (current) {
          b.input.value = r.value;
          b.input.className = markClass(r.value, b.td);
          b.td.removeAttribute("title");
          setState(b.td, "saved");
        }
      } else if (r.retry) {
        // The database rolled the save back (two saves of the journal at once): send it again.
        retry = true;
        if (!pending.has(b.input.name)) pending.set(b.input.name, b.td);
      } else if (r.conflict) {
        // Somebody saved this cell meanwhile: show what is stored now, marked, and say so.
        conflicts += 1;
        errors.push(labelOf(b.td) + ": " + r.error);
        if (current) {
          b.input.value = r.value;
          b.input.className = markClass(r.value, b.td);
          setState(b.td, "conflict", r.error);
        }
      } else {
        errors.push(labelOf(b.td) + ": " + r.error);
        if (current) setState(b.td, "error", r.error);
      }
    });
    Object.keys(data.averages || {}).forEach(function (studentId) {
      var tr = table.querySelector("tr[data-student='" + studentId + "']");
      var cell = tr && tr.querySelector("[data-avg]");
      if (cell) cell.textContent = data.averages[studentId];
    });
    if (retry) return T.retrying;
    if (errors.length) {
      var text = (saved ? fmt(T.saved, saved) + " " : "") + fmt(T.notSaved, errors.join("; "));
      announce(conflicts ? text + " " + T.conflictNote : text, true);
    } else {
      announce(fmt(T.saved, saved));
    }
    return false;
  }

  /* Resolves once every pending change has been sent and answered. */
  function settle() {
    flush();
    return inFlight ? inFlight.then(settle) : Promise.resolve();
  }

  function revert(td) {
    var input = inputOf(td);
    input.value = input.dataset.saved || "";
    input.className = markClass(input.value, td);
    pending.delete(input.name);
    setState(td, null);
    input.select();
  }

  // ------------------------------------------------------------------------------------------
  // Keyboard and mouse

  var lastCell = null;

  table.addEventListener("focusin", function (e) {
    var td = e.target.closest("td[data-col]");
    if (!td) return;
    lastCell = td;
    if (detailButton) detailButton.disabled = !td.dataset.lesson;
    var input = inputOf(td);
    if (input && e.target === input) input.select();
  });

  // A click focuses the input and selects its text, then the mouseup would drop the selection
  // and leave a caret: typing «4» over «5» must replace it, not make «54».
  var selectOnMouseUp = null;
  table.addEventListener("mousedown", function (e) {
    selectOnMouseUp = e.target.matches("td input") && document.activeElement !== e.target ? e.target : null;
  });
  table.addEventListener("mouseup", function (e) {
    if (selectOnMouseUp && e.target === selectOnMouseUp) {
      e.preventDefault();
      selectOnMouseUp.select();
    }
    selectOnMouseUp = null;
  });

  table.addEventListener("focusout", function (e) {
    var td = e.target.closest("td[data-col]");
    if (td && pending.has((inputOf(td) || {}).name)) schedule(MOVE_DELAY);
  });

  table.addEventListener("input", function (e) {
    var td = e.target.closest("td[data-col]");
    if (td) changed(td);
  });

  table.addEventListener("keydown", function (e) {
    var td = e.target.closest("td[data-col]");
    if (!td || e.altKey) return;
    var input = inputOf(td);
    var handled = true;
    switch (e.key) {
      case "ArrowUp":
        move(td, -1, 0);
        break;
      case "ArrowDown":
        move(td, 1, 0);
        break;
      case "ArrowLeft":
        move(td, 0, -1, false);
        break;
      case "ArrowRight":
        move(td, 0, 1, false);
        break;
      case "Tab":
        handled = move(td, 0, e.shiftKey ? -1 : 1, true);
        break;
      case "Enter":
        if (e.ctrlKey || e.metaKey) openCell(td);
        else move(td, e.shiftKey ? -1 : 1, 0);
        break;
      case "F2":
        openCell(td);
        break;
      case "Escape":
        if (input) revert(td);
        break;
      case "Delete":
        if (input) {
          input.value = "";
          changed(td);
        }
        break;
      case "Backspace":
        if (input && input.selectionStart === 0 && input.selectionEnd === input.value.length) {
          input.value = "";
          changed(td);
        } else {
          handled = false;
        }
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });

  table.addEventListener("dblclick", function (e) {
    var td = e.target.closest("td[data-lesson]");
    if (td) openCell(td);
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    failures = 0; // «Сохранить»: send what is waiting now, with new retries
    flush();
  });

  if (detailButton) {
    detailButton.addEventListener("click", function () {
      if (lastCell) openCell(lastCell);
    });
  }

  window.addEventListener("beforeunload", function (e) {
    if (pending.size || inFlight) {
      flush();
      e.preventDefault();
      e.returnValue = "";
    }
  });

  // ------------------------------------------------------------------------------------------
  // Side panels

  var returnFocus = null;

  function openPanel(panel, from) {
    [lessonPanel, cellPanel].forEach(function (p) {
      if (p && p !== panel) p.hidden = true;
    });
    returnFocus = from;
    panel.hidden = false;
  }

  function closePanel(panel) {
    panel.hidden = true;
    if (returnFocus) {
      if (returnFocus.matches("td")) focusCell(returnFocus);
      else returnFocus.focus();
    }
  }

  [lessonPanel, cellPanel].forEach(function (panel) {
    if (!panel) return;
    panel.addEventListener("click", function (e) {
      if (e.target.closest("[data-close]")) closePanel(panel);
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.preventDefault();
        closePanel(panel);
      }
    });
  });

  // The lesson panel: topic, homework / «Без задания», default work type, comment.
  var lessonForm = lessonPanel && lessonPanel.querySelector("form");
  var currentHead = null;

  function syncNoHomework() {
    lessonForm.elements.homework.disabled = lessonForm.elements.no_homework.checked || !canWrite;
  }

  function openLesson(head) {
    currentHead = head;
    var f = lessonForm.elements;
    lessonForm.action = head.href;
    lessonPanel.querySelector("[data-lesson-label]").textContent = head.dataset.label;
    lessonPanel.querySelector("[data-history-link]").href = head.dataset.historyUrl;
    lessonPanel.querySelector("[data-error]").textContent = "";
    f.topic.value = head.dataset.topic;
    f.homework.value = head.dataset.homework;
    f.no_homework.checked = head.dataset.noHomework === "1";
    f.work_type.value = head.dataset.workType;
    f.comment.value = head.dataset.comment;
    syncNoHomework();
    openPanel(lessonPanel, head);
    f.topic.focus();
  }

  if (lessonForm) {
    table.querySelectorAll("a.lesson-head").forEach(function (head) {
      head.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab gets the plain page
        e.preventDefault();
        openLesson(head);
      });
    });
    lessonForm.elements.no_homework.addEventListener("change", syncNoHomework);
    lessonForm.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!canWrite || !currentHead) return;
      var f = lessonForm.elements;
      var head = currentHead;
      var item = {
        lesson: head.dataset.lesson,
        topic: f.topic.value,
        homework: f.no_homework.checked ? "" : f.homework.value,
        no_homework: f.no_homework.checked,
        work_type: f.work_type.value ? Number(f.work_type.value) : null,
        comment: f.comment.value,
        // What the page showed stored: a field left as it was is never written, and one that
        // somebody changed meanwhile is reported instead of overwritten.
        was: {
          topic: head.dataset.topic,
          homework: head.dataset.homework,
          no_homework: head.dataset.noHomework === "1",
          work_type: head.dataset.workType ? Number(head.dataset.workType) : null,
          comment: head.dataset.comment,
        },
      };
      var errorEl = lessonPanel.querySelector("[data-error]");
      errorEl.textContent = "";
      postRetrying({ lessons: [item] }, function (message) {
        errorEl.textContent = message;
      })
        .then(function (data) {
          var r = (data.lessons || [])[0];
          if (r && r.fields) storeLesson(head, r.fields);
          var notes = r ? Object.values(r.conflicts || {}).concat(Object.values(r.changed || {})) : [];
          if (r && r.fields && notes.length) {
            // Show what is stored now in the fields that changed meanwhile, and say who changed them.
            Object.keys(r.conflicts || {})
              .concat(Object.keys(r.changed || {}))
              .forEach(function (name) {
                showLessonField(name, r.fields);
              });
            syncNoHomework();
          }
          if (!r || !r.ok) {
            var changedNotes = r ? Object.values(r.changed || {}) : [];
            errorEl.textContent = r ? [r.error].concat(changedNotes).join(" ") : T.lessonNotSaved;
            announce(errorEl.textContent, true);
            return;
          }
          if (notes.length) {
            errorEl.textContent = notes.join(" ");
            announce(fmt(T.lessonSaved, head.dataset.label) + " " + notes.join(" "), true);
            return; // the panel stays open with the stored values and the note
          }
          announce(fmt(T.lessonSaved, head.dataset.label));
          closePanel(lessonPanel);
        })
        .catch(function (error) {
          errorEl.textContent = error.status && !transient(error) ? error.message : T.lessonOffline;
        });
    });
  }

  /* The head's data- attributes hold the lesson as stored (what the panel opens with and sends as `was`). */
  function storeLesson(head, saved) {
    head.dataset.topic = saved.topic || "";
    head.dataset.homework = saved.homework || "";
    head.dataset.noHomework = saved.no_homework ? "1" : "0";
    head.dataset.workType = saved.work_type || "";
    head.dataset.comment = saved.comment || "";
    head.title = saved.topic || T.noTopic;
    var option = lessonForm.elements.work_type.querySelector("option[value='" + (saved.work_type || "") + "']");
    head.querySelector(".lw").textContent = saved.work_type && option ? option.dataset.short : "";
  }

  function showLessonField(name, saved) {
    var f = lessonForm.elements;
    if (name === "no_homework" || name === "homework") {
      f.no_homework.checked = !!saved.no_homework;
      f.homework.value = saved.homework || "";
    } else if (name === "work_type") {
      f.work_type.value = saved.work_type || "";
    } else if (f[name]) {
      f[name].value = saved[name] || "";
    }
  }

  /* post() with the cells' retries: no connection or a 5xx is sent again after a pause. */
  function postRetrying(payload, onRetry) {
    var attempt = 0;
    function once() {
      return post(payload).catch(function (error) {
        if (!transient(error) || attempt >= RETRY_DELAYS.length) throw error;
        attempt += 1;
        onRetry(error.status ? fmt(T.serverRetry, error.status) : T.offline);
        return new Promise(function (resolve) {
          setTimeout(resolve, RETRY_DELAYS[attempt - 1]);
        }).then(once);
      });
    }
    return once();
  }

  // The cell panel: marks with their type of work and comment, absence reason, history link.
  function openCell(td) {
    if (!cellPanel || !td.dataset.lesson) return;
    var url = cellUrl + "?lesson=" + td.dataset.lesson + "&student=" + td.dataset.student + "&partial=1";
    var body = cellPanel.querySelector("[data-panel-body]");
    settle()
      .then(function () {
        return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
      })
      .then(function (response) {
        if (!response.ok) throw new Error(httpMessage(response.status));
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        openPanel(cellPanel, td);
        var focusable = body.querySelector(
          "select:not(:disabled), input:not([type=hidden]):not(:disabled), a[href], [data-close]"
        );
        if (!focusable || focusable.closest("fieldset:disabled")) focusable = body.querySelector("a[href]");
        focusable = focusable || cellPanel.querySelector("[data-close]");
        if (focusable) focusable.focus();
      })
      .catch(function (error) {
        announce(error.message, true);
      });
  }

  if (cellPanel) {
    cellPanel.addEventListener("submit", function (e) {
      var detailForm = e.target;
      e.preventDefault();
      var body = cellPanel.querySelector("[data-panel-body]");
      fetch(detailForm.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf },
        body: new FormData(detailForm),
      })
        .then(function (response) {
          if (!response.ok) throw new Error(httpMessage(response.status));
          return response.text();
        })
        .then(function (html) {
          body.innerHTML = html;
          var detail = body.querySelector(".cell-detail");
          if (!detail) return;
          var tr = table.querySelector("tr[data-student='" + detail.dataset.student + "']");
          if (!tr) return;
          var avg = tr.querySelector("[data-avg]");
          if (avg) avg.textContent = detail.dataset.average;
          var td = tr.querySelector("td[data-lesson='" + detail.dataset.lesson + "']");
          if (td) td.title = detail.dataset.cellTitle;
          var status = body.querySelector("[role=status], [role=alert]");
          if (status) announce(status.textContent.trim(), status.getAttribute("role") === "alert");
        })
        .catch(function (error) {
          announce(error.message, true);
        });
    });
  }
})();
