// The room's live view: asks the service for the chapter's state and draws it as text.
// Every name and mistake is set with textContent, never parsed as HTML.
"use strict";

(function () {
  const prefix = document.body.dataset.prefix;
  const chapterSelect = document.getElementById("chapter");
  const projectorBox = document.getElementById("projector");
  const params = new URLSearchParams(location.search);
  let version = -1;
  let generation = 0;

  if (params.get("chapter")) chapterSelect.value = params.get("chapter");
  projectorBox.checked = params.get("projector") === "1";

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function drawQuestions(state) {
    const list = document.getElementById("questions");
    clear(list);
    for (const q of state.questions) {
      const item = el("li");
      item.appendChild(el("span", q.id, "qid"));
      item.appendChild(el("span", q.done + " of " + state.learners + " done", "count"));
      const bar = el("div", null, "bar");
      const fill = el("span");
      fill.style.width = (state.learners ? (100 * q.done / state.learners) : 0) + "%";
      bar.appendChild(fill);
      bar.setAttribute("aria-hidden", "true");
      item.appendChild(bar);
      item.appendChild(el("span", q.tried + " answered · " + (q.tried - q.done) + " not right yet", "quiet"));
      if (q.mistakes.length) {
        const ol = el("ol");
        ol.setAttribute("aria-label", "commonest mistakes on " + q.id);
        for (const m of q.mistakes) {
          const li = el("li");
          li.appendChild(el("span", "✗ " + m.name, "mistake"));
          li.appendChild(document.createTextNode(" · " + m.made + " made it, " + m.still + " still on it"));
          if (m.why) li.appendChild(el("span", m.why, "why"));
          ol.appendChild(li);
        }
        item.appendChild(ol);
      } else {
        item.appendChild(el("p", "no mistake named yet", "quiet"));
      }
      list.appendChild(item);
    }
  }

  function drawStuck(state) {
    const list = document.getElementById("stuck");
    clear(list);
    if (!state.stuck_list) {
      list.appendChild(el("li", state.stuck ? plural(state.stuck, "learner", "learners") + " stuck" : "nobody"));
      return;
    }
    if (!state.stuck_list.length) list.appendChild(el("li", "nobody", "quiet"));
    for (const s of state.stuck_list) {
      const li = el("li");
      li.appendChild(el("span", s.learner, "who"));
      li.appendChild(document.createTextNode(" on " + s.question + ": " + s.why));
      list.appendChild(li);
    }
  }

  function drawAbsent(state) {
    const absent = document.getElementById("absent");
    absent.textContent = state.absent_list
      ? (state.absent_list.length ? state.absent_list.join(", ") : "nobody")
      : (state.absent ? plural(state.absent, "learner", "learners") : "nobody");
  }

  function drawGrid(state) {
    const table = document.getElementById("grid");
    const head = table.tHead;
    const body = table.tBodies[0];
    clear(head);
    clear(body);
    if (!state.grid) return;
    const row = el("tr");
    row.appendChild(el("th", "learner")).setAttribute("scope", "col");
    for (const q of state.questions) row.appendChild(el("th", q.id)).setAttribute("scope", "col");
    head.appendChild(row);
    for (const learner of state.grid) {
      const tr = el("tr");
      tr.appendChild(el("th", learner.learner)).setAttribute("scope", "row");
      learner.cells.forEach(function (cell, i) {
        let td;
        if (!cell) {
          td = el("td", "·", "none");
          td.setAttribute("aria-label", "not yet");
        } else if (cell.status === "correct") {
          td = el("td", "✓", "done");
          td.setAttribute("aria-label", "done in " + plural(cell.attempts, "attempt", "attempts"));
        } else if (cell.status === "not attempted") {
          td = el("td", "…", "seen");
          td.setAttribute("aria-label", "opened, not answered");
        } else {
          td = el("td", "✗ " + cell.attempts, "wrong");
          if (cell.mistake) td.appendChild(el("span", cell.mistake, "mistake"));
          td.setAttribute("aria-label", cell.status + ", " + plural(cell.attempts, "attempt", "attempts") +
            (cell.mistake ? ", mistake " + cell.mistake : ""));
        }
        td.dataset.question = state.questions[i].id;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  function draw(state) {
    document.documentElement.classList.toggle("projector", !!state.projector);
    document.getElementById("summary").textContent =
      plural(state.learners, "learner", "learners") + " · " + state.started + " started the course · " +
      state.stuck + " stuck here · " + state.absent + " absent";
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    drawQuestions(state);
    drawStuck(state);
    drawAbsent(state);
    drawGrid(state);
    document.body.dataset.version = state.version;
  }

  function query(after) {
    const q = new URLSearchParams({ chapter: chapterSelect.value });
    if (projectorBox.checked) q.set("projector", "1");
    if (after >= 0) q.set("after", String(after));
    return q.toString();
  }

  async function follow(mine) {
    while (mine === generation) {
      try {
        const response = await fetch(prefix + "api/state?" + query(version), { credentials: "same-origin" });
        if (mine !== generation) return;
        if (!response.ok) throw new Error("HTTP " + response.status);
        const state = await response.json();
        if (mine !== generation) return;
        version = state.version;
        draw(state);
      } catch (err) {
        document.getElementById("updated").textContent = "not updated: " + err.message + " (retrying)";
        await new Promise(function (r) { setTimeout(r, 2000); });
      }
    }
  }

  function restart() {
    generation += 1;
    version = -1;
    history.replaceState(null, "", "?" + query(-1));
    follow(generation);
  }

  chapterSelect.addEventListener("change", restart);
  projectorBox.addEventListener("change", restart);
  document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); });
  restart();
})();
