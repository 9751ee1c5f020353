// chitieu review: every correction is one POST (JSON + the page's CSRF token),
// saved in the store at once; the page is then reloaded from the store.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const doc = document.getElementById("doc");
  const sha256 = doc ? doc.dataset.sha256 : null;
  const msg = document.getElementById("msg");

  function say(text, bad) {
    msg.textContent = text;
    msg.className = bad ? "bad" : "ok";
  }

  async function post(path, body) {
    body.sha256 = sha256;
    say("saving…");
    let res;
    try {
      res = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify(body),
      });
    } catch (e) {
      say("not saved: the review server does not answer (" + e + ")", true);
      return false;
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {error: res.statusText}; }
    if (!res.ok || !data.ok) {
      say("not saved: " + (data.error || res.status), true);
      return false;
    }
    sessionStorage.setItem("chitieu-scroll", String(window.scrollY));
    sessionStorage.setItem("chitieu-msg", "saved");
    location.reload();
    return true;
  }

  function fields(form) {
    const out = {};
    for (const el of form.elements) {
      if (el.name) out[el.name] = el.value.trim() === "" ? null : el.value.trim();
    }
    return out;
  }

  // restore the place and the message after a save
  const y = sessionStorage.getItem("chitieu-scroll");
  if (y !== null) { window.scrollTo(0, Number(y)); sessionStorage.removeItem("chitieu-scroll"); }
  const m = sessionStorage.getItem("chitieu-msg");
  if (m) { say(m); sessionStorage.removeItem("chitieu-msg"); }

  if (!doc) return;

  document.addEventListener("click", function (ev) {
    const b = ev.target.closest("button");
    if (!b) return;
    const tr = b.closest("tr");
    if (b.classList.contains("js-act")) {
      post("/api/target", {action: b.dataset.action, index: Number(tr.dataset.index)});
    } else if (b.classList.contains("js-edit")) {
      const ed = document.getElementById("edit" + tr.dataset.row);
      ed.hidden = !ed.hidden;
      if (!ed.hidden) ed.querySelector("select, input").focus();
    } else if (b.classList.contains("js-cancel")) {
      tr.hidden = true;
    } else if (b.classList.contains("js-undo")) {
      post("/api/undo", {id: Number(b.dataset.cid)});
    } else if (b.classList.contains("js-status")) {
      post("/api/status", {reviewed: b.dataset.reviewed === "true"});
    } else if (b.classList.contains("js-addcancel")) {
      document.getElementById("add").hidden = true;
    }
  });

  document.addEventListener("submit", function (ev) {
    const form = ev.target;
    ev.preventDefault();
    if (form.classList.contains("js-editform")) {
      const tr = form.closest("tr");
      post("/api/target", {action: "edit", index: Number(tr.dataset.index), fields: fields(form)});
    } else if (form.classList.contains("js-fact")) {
      const name = form.closest("tr").dataset.fact;
      post("/api/fact", {name: name, value: fields(form).value});
    } else if (form.id === "addform") {
      const add = document.getElementById("add");
      post("/api/add", {start: Number(add.dataset.start), end: Number(add.dataset.end), fields: fields(form)});
    }
  });

  // a value in the table shows its place in the text, and the other way round
  function show(n) {
    document.querySelectorAll("mark.on, tr.on").forEach(e => e.classList.remove("on"));
    const mark = document.querySelector('mark[data-rows~="' + n + '"]');
    const row = document.getElementById("row" + n);
    if (mark) { mark.classList.add("on"); mark.scrollIntoView({block: "center"}); }
    if (row) row.classList.add("on");
  }
  document.querySelectorAll(".js-show").forEach(a => a.addEventListener("click", function (ev) {
    ev.preventDefault();
    show(a.dataset.row);
  }));
  document.querySelectorAll("mark.v").forEach(mk => mk.addEventListener("click", function () {
    const n = mk.dataset.rows.split(" ")[0];
    const row = document.getElementById("row" + n);
    if (row) { row.scrollIntoView({block: "center"}); show(n); }
  }));
  if (location.hash.startsWith("#row")) show(location.hash.slice(4));

  // selecting words in the text opens the form to add a missed target
  const pre = document.getElementById("text");
  function offset(node, off) {
    const r = document.createRange();
    r.setStart(pre, 0);
    r.setEnd(node, off);
    return r.toString().length;
  }
  function firstNumber(text) {
    const m = text.match(/\d+(?:[.,]\d+)*/);
    if (!m) return "";
    let s = m[0];
    if (/^\d{1,3}(\.\d{3})+$/.test(s)) s = s.replace(/\./g, "");   // 300.000: dots between thousands
    return s.replace(",", ".");
  }
  function onSelect() {
    const sel = window.getSelection();
    if (!pre || !sel.rangeCount || sel.isCollapsed) return;
    const r = sel.getRangeAt(0);
    if (!pre.contains(r.startContainer) || !pre.contains(r.endContainer)) return;
    const start = offset(r.startContainer, r.startOffset), end = offset(r.endContainer, r.endOffset);
    const text = r.toString();
    if (!text.trim() || end <= start) return;
    const add = document.getElementById("add");
    add.dataset.start = start;
    add.dataset.end = end;
    document.getElementById("add-text").textContent = text.length > 200 ? text.slice(0, 200) + "…" : text;
    const form = document.getElementById("addform");
    form.elements.value.value = firstNumber(text);
    if (/%/.test(text)) form.elements.unit.value = "percent";
    const year = text.match(/\b(?:19|20)\d{2}\b/);
    if (year && !form.elements.year.value) form.elements.year.value = year[0];
    add.hidden = false;
  }
  if (pre) {
    pre.addEventListener("mouseup", onSelect);
    pre.addEventListener("keyup", onSelect);
  }
})();
